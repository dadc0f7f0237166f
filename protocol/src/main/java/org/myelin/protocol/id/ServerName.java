package org.myelin.protocol.id;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A homeserver's server name: the domain part of user IDs, room aliases and older room and
 * event IDs, and the name a server signs with (spec: appendices, "Server Name").
 *
 * <pre>
 * server_name = hostname [ ":" port ]
 * port        = 1*5DIGIT
 * hostname    = IPv4address / "[" IPv6address "]" / dns-name
 * IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT
 * IPv6address = 2*45IPv6char
 * dns-name    = 1*255dns-char
 * dns-char    = DIGIT / ALPHA / "-" / "."
 * </pre>
 *
 * <p>Server names are case-sensitive and kept exactly as written ({@code matrix.org} and
 * {@code MATRIX.ORG} are different servers; {@code :08448} stays {@code :08448}); equality is
 * equality of the wire form. The whole name is at most 255 characters and the port is 1 to
 * 65535. A dotted quad with a number above 255 ({@code 1.2.3.256}) matches the
 * {@code dns-name} rule of the grammar, so it is accepted as a DNS name, as Synapse and Ruma
 * do; only a well-formed IPv4 literal has {@link HostKind#IPV4}.
 *
 * @param value the server name as it appears on the wire
 */
public record ServerName(String value) {

    /** Longest server name accepted. */
    public static final int MAX_LENGTH = 255;

    /** Which alternative of the {@code hostname} rule a server name uses. */
    public enum HostKind { DNS, IPV4, IPV6 }

    private static final String KIND = "server name";

    /** Validates {@code value}; prefer {@link #parse}. */
    public ServerName {
        Objects.requireNonNull(value, "value");
        String problem = problem(value);
        if (problem != null) {
            throw new InvalidIdentifierException(KIND, value, problem);
        }
    }

    /** Parses a server name, such as {@code matrix.org:8448} or {@code [::1]}. */
    public static ServerName parse(String value) {
        return new ServerName(value);
    }

    /** Whether {@code value} is a valid server name. */
    public static boolean isValid(String value) {
        return value != null && problem(value) == null;
    }

    /**
     * The {@code hostname} part, without the port: a DNS name, an IPv4 address, or an IPv6
     * address in its brackets ({@code [::1]}), as written.
     */
    public String host() {
        return value.substring(0, hostEnd(value));
    }

    /** The explicit port, if the server name has one. */
    public OptionalInt port() {
        int hostEnd = hostEnd(value);
        return hostEnd == value.length()
                ? OptionalInt.empty()
                : OptionalInt.of(Integer.parseInt(value.substring(hostEnd + 1)));
    }

    /** Whether the host is a DNS name, an IPv4 literal or an IPv6 literal. */
    public HostKind hostKind() {
        if (value.charAt(0) == '[') {
            return HostKind.IPV6;
        }
        return IpLiterals.isIpv4(host()) ? HostKind.IPV4 : HostKind.DNS;
    }

    /** Whether the host is an IP address literal rather than a DNS name. */
    public boolean isIpLiteral() {
        return hostKind() != HostKind.DNS;
    }

    /** The wire form. */
    @Override
    public String toString() {
        return value;
    }

    /** Returns why {@code value} is not a server name, or {@code null} if it is one. */
    static String problem(String value) {
        if (value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters, not " + value.length();
        }
        int hostEnd;
        if (value.charAt(0) == '[') {
            int close = value.indexOf(']');
            if (close < 0) {
                return "the IPv6 literal lacks its closing ']'";
            }
            String problem = IpLiterals.ipv6Problem(value.substring(1, close));
            if (problem != null) {
                return problem;
            }
            hostEnd = close + 1;
        } else {
            hostEnd = hostEnd(value);
            String problem = dnsNameProblem(value, hostEnd);
            if (problem != null) {
                return problem;
            }
        }
        if (hostEnd == value.length()) {
            return null;
        }
        if (value.charAt(hostEnd) != ':') {
            return "only ':' and a port may follow the IPv6 literal";
        }
        return portProblem(value.substring(hostEnd + 1));
    }

    private static String dnsNameProblem(String value, int hostEnd) {
        if (hostEnd == 0) {
            return "the hostname must not be empty";
        }
        if (value.indexOf(':', hostEnd + 1) >= 0) {
            return "only one ':' may separate the hostname from the port; "
                    + "an IPv6 literal goes in brackets";
        }
        for (int i = 0; i < hostEnd; i++) {
            char c = value.charAt(i);
            if (!IdText.isAsciiAlphanumeric(c) && c != '-' && c != '.') {
                return "a DNS name may only contain ASCII letters, digits, '-' and '.', not '"
                        + c + "'";
            }
        }
        return null;
    }

    private static String portProblem(String port) {
        if (port.isEmpty() || port.length() > 5 || !IpLiterals.allDigits(port)) {
            return "the port must be 1 to 5 digits, not '" + port + "'";
        }
        int number = Integer.parseInt(port);
        return number >= 1 && number <= 65535 ? null : "the port must be 1 to 65535, not " + number;
    }

    /** Index just past the hostname of a valid (or plain-hostname) server name. */
    private static int hostEnd(String value) {
        if (value.charAt(0) == '[') {
            return value.indexOf(']') + 1;
        }
        int colon = value.indexOf(':');
        return colon < 0 ? value.length() : colon;
    }
}
