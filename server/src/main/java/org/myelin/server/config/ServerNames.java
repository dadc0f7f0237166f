package org.myelin.server.config;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server name grammar of the spec (appendices, "Server Name"):
 * {@code hostname [":" port]} where hostname is an IPv4 address, a bracketed IPv6 address or
 * a DNS name.
 *
 * <p>Temporary: {@code org.myelin.protocol.id.ServerName} will replace this; {@link #parse}
 * is the one place to swap.
 */
public final class ServerNames {

    /** A parsed server name; {@code host} keeps IPv6 brackets as written. */
    public record HostAndPort(String host, OptionalInt port) {
        /** True for an IPv4 or bracketed IPv6 literal. */
        public boolean isIpLiteral() {
            return host.startsWith("[") || IPV4.matcher(host).matches();
        }

        /** The host without IPv6 brackets, as an address or DNS name. */
        public String bareHost() {
            return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        }
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    private static final Pattern SERVER_NAME = Pattern.compile(
            "(\\[[0-9A-Fa-f:.]{2,45}]|[0-9A-Za-z.-]{1,255})(?::(\\d{1,5}))?");

    private ServerNames() {}

    /** Parses a server name; throws {@link IllegalArgumentException} saying what is wrong. */
    public static HostAndPort parse(String serverName) {
        Matcher m = SERVER_NAME.matcher(serverName);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + serverName + "' is not a valid server name: expected "
                    + "HOST[:PORT] with HOST a DNS name (letters, digits, '-', '.'), an IPv4 address or a [bracketed] IPv6 address");
        }
        OptionalInt port = OptionalInt.empty();
        if (m.group(2) != null) {
            int p = Integer.parseInt(m.group(2));
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("'" + serverName + "' is not a valid server name: port " + p
                        + " is out of range 1-65535");
            }
            port = OptionalInt.of(p);
        }
        return new HostAndPort(m.group(1), port);
    }
}
