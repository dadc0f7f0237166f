package org.myelin.federation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How this server federates: whom it trusts (TLS, notaries), where it may connect, and its
 * timing. Built by the server from its configuration ({@code federation.*}).
 *
 * @param allowInsecureTls     accept any certificate from remote servers (development and tests only)
 * @param trustedCaPaths       PEM files of CA certificates trusted beside the system's
 * @param outboundIpAllowlist  IP addresses or CIDR ranges that outbound requests may reach although they
 *                             are loopback, private or link-local
 * @param notaryServers        servers asked for other servers' keys when those cannot be fetched directly
 * @param keyValidity          how long the keys this server publishes are valid ({@code valid_until_ts})
 * @param backoff              retry timing per destination
 * @param requestTimeout       how long one outbound request may take
 */
public record FederationSettings(boolean allowInsecureTls, List<Path> trustedCaPaths, List<String> outboundIpAllowlist,
                                 List<String> notaryServers, Duration keyValidity, BackoffSettings backoff,
                                 Duration requestTimeout) {

    /**
     * Exponential backoff per destination: after a failure, wait {@code initial}, then twice as long
     * after each further failure, never longer than {@code max}; a success resets it.
     */
    public record BackoffSettings(Duration initial, Duration max) {
        public BackoffSettings {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
        }
    }

    public FederationSettings {
        trustedCaPaths = List.copyOf(trustedCaPaths);
        outboundIpAllowlist = List.copyOf(outboundIpAllowlist);
        notaryServers = List.copyOf(notaryServers);
        Objects.requireNonNull(keyValidity, "keyValidity");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /** Production defaults with nothing extra trusted or allowed. */
    public static FederationSettings defaults() {
        return new FederationSettings(false, List.of(), List.of(), List.of(), Duration.ofDays(1),
                new BackoffSettings(Duration.ofSeconds(10), Duration.ofHours(1)), Duration.ofSeconds(60));
    }
}
