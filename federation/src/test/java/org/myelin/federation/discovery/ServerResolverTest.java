package org.myelin.federation.discovery;

import org.junit.jupiter.api.Test;
import org.myelin.protocol.id.ServerName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The decision table of server name resolution (server-server API, "Resolving server names"),
 * step by step, with a fake DNS and {@code .well-known}: where to connect, the {@code Host}
 * header, the certificate name, and which lookups were made.
 */
class ServerResolverTest {

    private final Map<String, List<ServerResolver.SrvRecord>> srv = new HashMap<>();
    private final Map<String, String> wellKnown = new HashMap<>();
    private final List<String> lookups = new ArrayList<>();
    private final ServerResolver resolver = new ServerResolver(
            name -> {
                lookups.add("srv " + name);
                return srv.getOrDefault(name, List.of());
            },
            host -> {
                lookups.add("well-known " + host);
                return Optional.ofNullable(wellKnown.get(host));
            });

    private Resolution resolve(String name) {
        return resolver.resolve(ServerName.parse(name));
    }

    private static Resolution one(String host, int port, String hostHeader, String tlsName) {
        return Resolution.of(host, port, hostHeader, tlsName);
    }

    @Test
    void step1IpLiteralWithAndWithoutPort() {
        assertEquals(one("1.2.3.4", 8448, "1.2.3.4", "1.2.3.4"), resolve("1.2.3.4"));
        assertEquals(one("1.2.3.4", 1234, "1.2.3.4:1234", "1.2.3.4"), resolve("1.2.3.4:1234"));
        assertEquals(one("2001:db8::1", 8448, "[2001:db8::1]", "2001:db8::1"), resolve("[2001:db8::1]"));
        assertEquals(one("::1", 443, "[::1]:443", "::1"), resolve("[::1]:443"));
        assertEquals(List.of(), lookups, "no lookups for an IP literal");
    }

    @Test
    void step2HostnameWithExplicitPort() {
        assertEquals(one("example.org", 1234, "example.org:1234", "example.org"), resolve("example.org:1234"));
        assertEquals(List.of(), lookups, "no .well-known, no SRV when the port is given");
    }

    @Test
    void step3_1DelegatedToAnIpLiteral() {
        wellKnown.put("example.org", "5.6.7.8");
        assertEquals(one("5.6.7.8", 8448, "5.6.7.8", "5.6.7.8"), resolve("example.org"));
        wellKnown.put("example.org", "[2001:db8::2]:9000");
        assertEquals(one("2001:db8::2", 9000, "[2001:db8::2]:9000", "2001:db8::2"), resolve("example.org"));
    }

    @Test
    void step3_2DelegatedHostnameWithPort() {
        wellKnown.put("example.org", "matrix.example.org:443");
        assertEquals(one("matrix.example.org", 443, "matrix.example.org:443", "matrix.example.org"),
                resolve("example.org"));
        assertEquals(List.of("well-known example.org"), lookups);
    }

    @Test
    void step3_3DelegatedHostnameThroughMatrixFedSrv() {
        wellKnown.put("example.org", "matrix.example.org");
        srv.put("_matrix-fed._tcp.matrix.example.org", List.of(
                new ServerResolver.SrvRecord(10, 0, 8449, "backup.example.org."),
                new ServerResolver.SrvRecord(5, 0, 8448, "primary.example.org.")));
        Resolution r = resolve("example.org");
        assertEquals(List.of(new Resolution.Target("primary.example.org", 8448),
                new Resolution.Target("backup.example.org", 8449)), r.targets(), "by priority, trailing dot gone");
        assertEquals("matrix.example.org", r.hostHeader());
        assertEquals("matrix.example.org", r.tlsName());
    }

    @Test
    void step3_4DelegatedHostnameThroughDeprecatedMatrixSrv() {
        wellKnown.put("example.org", "matrix.example.org");
        srv.put("_matrix._tcp.matrix.example.org", List.of(new ServerResolver.SrvRecord(0, 0, 8000, "old.example.org")));
        assertEquals(one("old.example.org", 8000, "matrix.example.org", "matrix.example.org"), resolve("example.org"));
        assertEquals(List.of("well-known example.org", "srv _matrix-fed._tcp.matrix.example.org",
                "srv _matrix._tcp.matrix.example.org"), lookups, "matrix-fed first");
    }

    @Test
    void step3_5DelegatedHostnameOnPort8448() {
        wellKnown.put("example.org", "matrix.example.org");
        assertEquals(one("matrix.example.org", 8448, "matrix.example.org", "matrix.example.org"),
                resolve("example.org"));
    }

    @Test
    void step4MatrixFedSrvOfTheHostnameWithoutWellKnown() {
        srv.put("_matrix-fed._tcp.example.org", List.of(new ServerResolver.SrvRecord(0, 0, 8443, "fed.example.org.")));
        assertEquals(one("fed.example.org", 8443, "example.org", "example.org"), resolve("example.org"));
    }

    @Test
    void step5DeprecatedMatrixSrvOfTheHostname() {
        srv.put("_matrix._tcp.example.org", List.of(new ServerResolver.SrvRecord(0, 0, 8444, "legacy.example.org")));
        assertEquals(one("legacy.example.org", 8444, "example.org", "example.org"), resolve("example.org"));
    }

    @Test
    void step6TheHostnameOnPort8448() {
        assertEquals(one("example.org", 8448, "example.org", "example.org"), resolve("example.org"));
        assertEquals(List.of("well-known example.org", "srv _matrix-fed._tcp.example.org",
                "srv _matrix._tcp.example.org"), lookups);
    }

    @Test
    void anInvalidDelegationIsIgnored() {
        wellKnown.put("example.org", "not a server name!");
        assertEquals(one("example.org", 8448, "example.org", "example.org"), resolve("example.org"));
    }

    @Test
    void anSrvRecordSayingNoServiceCountsAsNone() {
        srv.put("_matrix-fed._tcp.example.org", List.of(new ServerResolver.SrvRecord(0, 0, 0, ".")));
        assertEquals(one("example.org", 8448, "example.org", "example.org"), resolve("example.org"));
    }

    @Test
    void aFailingDnsLookupCountsAsNoRecords() {
        ServerResolver failing = new ServerResolver(name -> {
            throw new IllegalStateException("SERVFAIL");
        }, host -> Optional.empty());
        assertEquals(one("example.org", 8448, "example.org", "example.org"),
                failing.resolve(ServerName.parse("example.org")));
    }
}
