package org.myelin.server.config;

import java.util.OptionalInt;
import org.myelin.protocol.id.InvalidIdentifierException;
import org.myelin.protocol.id.ServerName;

/**
 * The server name grammar of the spec (appendices, "Server Name"):
 * {@code hostname [":" port]} where hostname is an IPv4 address, a bracketed IPv6 address or
 * a DNS name.
 *
 * <p>The grammar itself is protocol's {@link ServerName}; this adapts it to what
 * configuration and TLS set-up need, with a configuration-style error message.
 */
public final class ServerNames {

    /** A parsed server name; {@code host} keeps IPv6 brackets as written. */
    public record HostAndPort(String host, OptionalInt port, boolean isIpLiteral) {

        /** The host without IPv6 brackets, as an address or DNS name. */
        public String bareHost() {
            return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        }
    }

    private ServerNames() {}

    /** Parses a server name; throws {@link IllegalArgumentException} saying what is wrong. */
    public static HostAndPort parse(String serverName) {
        ServerName parsed;
        try {
            parsed = ServerName.parse(serverName);
        } catch (InvalidIdentifierException e) {
            throw new IllegalArgumentException("'" + serverName + "' is not a valid server name: " + e.reason());
        }
        return new HostAndPort(parsed.host(), parsed.port(), parsed.isIpLiteral());
    }
}
