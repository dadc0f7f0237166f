package org.myelin.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;

/** The federation listener speaks TLS with the generated dev certificate for the server name's host. */
class FederationTlsIT {

    @Test
    void federationListenerServesTheSelfSignedCertificate() throws Exception {
        try (TestHomeserver hs = TestHomeserver.start()) {
            HttpResponse<String> response = hs.send(HttpRequest.newBuilder(hs.federationUri("/_matrix/federation/v1/nothing")));
            assertEquals(404, response.statusCode());
            assertEquals("M_UNRECOGNIZED", TestHomeserver.json(response).path("errcode").asText());

            X509Certificate cert = hs.tls().presented().get(0)[0];
            assertEquals("CN=127.0.0.1", cert.getSubjectX500Principal().getName());
            assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal(), "self-signed");
            // subjectAltName: type 7 is iPAddress.
            assertTrue(cert.getSubjectAlternativeNames().contains(List.of(7, "127.0.0.1")),
                    String.valueOf(cert.getSubjectAlternativeNames()));
            assertTrue(java.nio.file.Files.exists(hs.dataDir().resolve("tls/federation-self-signed.crt")));
        }
    }

    @Test
    void clientListenerStaysPlainHttp() {
        try (TestHomeserver hs = TestHomeserver.start()) {
            assertEquals(200, hs.get("/_matrix/client/versions").statusCode());
        }
    }
}
