package org.myelin.federation.discovery;

import java.util.List;
import java.util.Objects;

/**
 * Where requests to a server name go (server-server API, "Resolving server names"): the hosts
 * and ports to connect to, in order of preference, the {@code Host} header to send, and the name
 * the server's certificate must be valid for (sent as SNI unless it is an IP address).
 *
 * @param targets    where to connect, best first
 * @param hostHeader the {@code Host} header: the server name, or the delegated one
 * @param tlsName    the name (or IP address, without brackets) the certificate must match
 */
public record Resolution(List<Target> targets, String hostHeader, String tlsName) {

    /** A host (DNS name, or IP literal without brackets) and port to connect to. */
    public record Target(String host, int port) {
        public Target {
            Objects.requireNonNull(host, "host");
        }
    }

    public Resolution {
        targets = List.copyOf(targets);
        Objects.requireNonNull(hostHeader, "hostHeader");
        Objects.requireNonNull(tlsName, "tlsName");
    }

    /** One target. */
    public static Resolution of(String host, int port, String hostHeader, String tlsName) {
        return new Resolution(List.of(new Target(host, port)), hostHeader, tlsName);
    }
}
