package org.myelin.federation.discovery;

import org.myelin.protocol.id.ServerName;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Resolves a server name to where requests go, in the spec's order (server-server API,
 * "Resolving server names"):
 *
 * <ol>
 *   <li>an IP literal: that address, its port or 8448;</li>
 *   <li>a hostname with an explicit port: that host and port;</li>
 *   <li>{@code /.well-known/matrix/server} names a delegated server, which is resolved as
 *       3.1 IP literal, 3.2 host with port, 3.3 SRV {@code _matrix-fed._tcp}, 3.4 SRV
 *       {@code _matrix._tcp} (deprecated), 3.5 the host on port 8448;</li>
 *   <li>SRV {@code _matrix-fed._tcp.<hostname>};</li>
 *   <li>SRV {@code _matrix._tcp.<hostname>} (deprecated);</li>
 *   <li>the hostname on port 8448.</li>
 * </ol>
 *
 * <p>The {@code Host} header and the certificate name follow the spec for each step. Addresses
 * (A/AAAA) are looked up later, by the transport, which checks each against the SSRF guard.
 * DNS and {@code .well-known} are ports, so the decision table is tested without a network.
 */
public final class ServerResolver {

    /** The Matrix federation port. */
    public static final int DEFAULT_PORT = 8448;

    /** SRV lookups. */
    @FunctionalInterface
    public interface Dns {
        /** The SRV records of {@code name} (such as {@code _matrix-fed._tcp.example.org}); empty if none. */
        List<SrvRecord> srv(String name);
    }

    /** One SRV record; {@code target} without a trailing dot. */
    public record SrvRecord(int priority, int weight, int port, String target) {
    }

    /** {@code /.well-known/matrix/server}, cached. */
    @FunctionalInterface
    public interface WellKnown {
        /** The {@code m.server} that {@code hostname} delegates to, if it validly names one. */
        Optional<String> delegatedServer(String hostname);
    }

    private final Dns dns;
    private final WellKnown wellKnown;

    public ServerResolver(Dns dns, WellKnown wellKnown) {
        this.dns = dns;
        this.wellKnown = wellKnown;
    }

    public Resolution resolve(ServerName name) {
        // 1. An IP literal.
        if (name.isIpLiteral()) {
            return Resolution.of(bare(name.host()), name.port().orElse(DEFAULT_PORT), name.value(), bare(name.host()));
        }
        // 2. A hostname with an explicit port.
        if (name.port().isPresent()) {
            return Resolution.of(name.host(), name.port().getAsInt(), name.value(), name.host());
        }
        // 3. Delegation through .well-known.
        Optional<ServerName> delegated = wellKnown.delegatedServer(name.host())
                .filter(ServerName::isValid).map(ServerName::parse);
        if (delegated.isPresent()) {
            return resolveDelegated(delegated.get());
        }
        // 4-6. SRV records of the hostname, else the hostname on 8448.
        return srvOrDefault(name.host());
    }

    private Resolution resolveDelegated(ServerName d) {
        // 3.1 An IP literal: Host is the delegated IP, with its port if one was given.
        if (d.isIpLiteral()) {
            return Resolution.of(bare(d.host()), d.port().orElse(DEFAULT_PORT), d.value(), bare(d.host()));
        }
        // 3.2 A delegated hostname with a port.
        if (d.port().isPresent()) {
            return Resolution.of(d.host(), d.port().getAsInt(), d.value(), d.host());
        }
        // 3.3-3.5 SRV records of the delegated hostname, else it on 8448.
        return srvOrDefault(d.host());
    }

    /** SRV {@code _matrix-fed._tcp}, then {@code _matrix._tcp}, then port 8448; Host and certificate: {@code host}. */
    private Resolution srvOrDefault(String host) {
        for (String service : List.of("_matrix-fed._tcp.", "_matrix._tcp.")) {
            List<Resolution.Target> targets = lookup(service + host);
            if (!targets.isEmpty()) {
                return new Resolution(targets, host, host);
            }
        }
        return Resolution.of(host, DEFAULT_PORT, host, host);
    }

    private List<Resolution.Target> lookup(String name) {
        List<SrvRecord> records;
        try {
            records = dns.srv(name);
        } catch (RuntimeException e) {
            records = List.of();
        }
        return records.stream()
                // A target of "." means the service is decidedly not available there (RFC 2782).
                .filter(r -> !r.target().isEmpty() && !r.target().equals("."))
                .sorted(Comparator.comparingInt(SrvRecord::priority).thenComparing(Comparator.comparingInt(SrvRecord::weight).reversed()))
                .map(r -> new Resolution.Target(stripDot(r.target()), r.port()))
                .toList();
    }

    private static String stripDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    /** An IPv6 literal without its brackets; other hosts as they are. */
    static String bare(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
