package org.myelin.federation.client;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.federation.FederationSettings;
import org.myelin.federation.discovery.AddressResolver;
import org.myelin.federation.discovery.OutboundGuard;
import org.myelin.federation.discovery.Resolution;
import org.myelin.federation.testing.TestCertificates;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport against a real TLS server on loopback: it connects to the checked address while
 * TLS names the server (SNI, certificate check) and {@code Host} carries the server name; the
 * SSRF guard refuses loopback unless allowed.
 */
class HttpTransportTest {

    @TempDir
    static Path dir;
    static Vertx vertx;
    static HttpServer dnsServer;
    static HttpServer ipServer;
    static TestCertificates.Pem dnsCert;
    static TestCertificates.Pem ipCert;
    static final AtomicReference<String> seenSni = new AtomicReference<>();
    static final AtomicReference<String> seenHost = new AtomicReference<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        dnsCert = TestCertificates.create(dir, "matrix.example.test", false);
        ipCert = TestCertificates.create(dir, "127.0.0.1", true);
        dnsServer = listen(dnsCert);
        ipServer = listen(ipCert);
    }

    private static HttpServer listen(TestCertificates.Pem pem) throws Exception {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(pem.certificate().toString())
                        .setKeyPath(pem.key().toString())))
                .requestHandler(req -> {
                    seenSni.set(req.connection().indicatedServerName());
                    seenHost.set(req.headers().get("Host"));
                    req.response().putHeader("Content-Type", "application/json").end("{\"ok\":true}");
                });
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static HttpTransport transport(List<Path> trusted, List<String> allow) {
        FederationSettings settings = new FederationSettings(false, trusted, allow, List.of(), Duration.ofDays(1),
                FederationSettings.defaults().backoff(), Duration.ofSeconds(10));
        AddressResolver resolver = host -> List.of(InetAddress.getByName("127.0.0.1"));
        return new HttpTransport(vertx, settings, OutboundGuard.allowing(allow), resolver);
    }

    private static final HttpTransport.Request GET = new HttpTransport.Request("GET", "/_matrix/federation/v1/version",
            Map.of(), null);

    @Test
    void sendsTheServerNameAsSniAndHostWhileConnectingToTheCheckedAddress() throws Exception {
        HttpTransport t = transport(List.of(dnsCert.certificate()), List.of("127.0.0.0/8"));
        HttpTransport.Response r = t.exchange(Resolution.of("matrix.example.test", dnsServer.actualPort(),
                "matrix.example.test:" + dnsServer.actualPort(), "matrix.example.test"), GET);
        assertEquals(200, r.status());
        assertEquals("matrix.example.test", seenSni.get());
        assertEquals("matrix.example.test:" + dnsServer.actualPort(), seenHost.get());
        t.close();
    }

    @Test
    void hostHeaderWithoutPortWhenTheServerNameHasNone() throws Exception {
        HttpTransport t = transport(List.of(dnsCert.certificate()), List.of("127.0.0.0/8"));
        t.exchange(Resolution.of("matrix.example.test", dnsServer.actualPort(), "matrix.example.test",
                "matrix.example.test"), GET);
        assertEquals("matrix.example.test", seenHost.get());
        t.close();
    }

    @Test
    void refusesACertificateForAnotherName() {
        HttpTransport t = transport(List.of(dnsCert.certificate()), List.of("127.0.0.0/8"));
        assertThrows(FederationClientException.class, () -> t.exchange(Resolution.of("other.example.test",
                dnsServer.actualPort(), "other.example.test", "other.example.test"), GET));
        t.close();
    }

    @Test
    void refusesAnUntrustedCertificate() {
        HttpTransport t = transport(List.of(), List.of("127.0.0.0/8"));
        assertThrows(FederationClientException.class, () -> t.exchange(Resolution.of("matrix.example.test",
                dnsServer.actualPort(), "matrix.example.test", "matrix.example.test"), GET));
        t.close();
    }

    @Test
    void sendsNoSniToAnIpAddressAndChecksTheCertificateForIt() throws Exception {
        HttpTransport t = transport(List.of(ipCert.certificate()), List.of("127.0.0.0/8"));
        HttpTransport.Response r = t.exchange(Resolution.of("127.0.0.1", ipServer.actualPort(),
                "127.0.0.1:" + ipServer.actualPort(), "127.0.0.1"), GET);
        assertEquals(200, r.status());
        assertNull(seenSni.get());
        assertEquals("127.0.0.1:" + ipServer.actualPort(), seenHost.get());
        t.close();
    }

    @Test
    void refusesLoopbackUnlessAllowed() {
        HttpTransport t = transport(List.of(dnsCert.certificate()), List.of());
        FederationClientException e = assertThrows(FederationClientException.class, () -> t.exchange(
                Resolution.of("matrix.example.test", dnsServer.actualPort(), "matrix.example.test",
                        "matrix.example.test"), GET));
        assertTrue(e.getMessage().contains("outbound_ip_allowlist"), e.getMessage());
        t.close();
    }
}
