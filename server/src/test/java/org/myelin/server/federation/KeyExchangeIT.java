package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.federation.keys.KeyRing;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.server.testing.TestHomeserver;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Key publishing and notary queries between real homeservers over HTTPS (server-server API,
 * "Retrieving server keys"), and a key ring that falls back to a notary when a server is down.
 */
class KeyExchangeIT {

    static TestHomeserver a;
    static TestHomeserver b;

    @BeforeAll
    static void start() {
        a = TestHomeserver.start();
        b = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
    }

    private static VerifyKey keyOf(TestHomeserver hs) {
        return hs.homeserver().signingKey().verifyKey();
    }

    @Test
    void publishesItsKeySelfSignedAndValidForADay() {
        long before = System.currentTimeMillis();
        HttpResponse<String> response = a.send(HttpRequest.newBuilder(a.federationUri("/_matrix/key/v2/server")));
        assertEquals(200, response.statusCode());
        ObjectNode doc = (ObjectNode) TestHomeserver.json(response);
        assertEquals(a.serverName(), doc.path("server_name").asText());
        String keyId = keyOf(a).keyId();
        assertEquals(keyOf(a).publicKeyBase64(), doc.path("verify_keys").path(keyId).path("key").asText());
        assertTrue(doc.path("old_verify_keys").isObject());
        assertTrue(JsonSigning.verify(doc, a.serverName(), keyOf(a)));
        long validUntil = doc.path("valid_until_ts").asLong();
        assertTrue(validUntil >= before + Duration.ofDays(1).toMillis(), "valid for a day: " + validUntil);
        // Also on the client listener, which serves the keys resource too.
        assertEquals(200, a.get("/_matrix/key/v2/server").statusCode());
    }

    @Test
    void notaryAnswersWithTheServersDocumentSignedByBoth() {
        HttpResponse<String> response = a.send(HttpRequest.newBuilder(
                a.federationUri("/_matrix/key/v2/query/" + b.serverName())));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode keys = TestHomeserver.json(response).path("server_keys");
        assertEquals(1, keys.size(), keys.toString());
        ObjectNode doc = (ObjectNode) keys.get(0);
        assertEquals(b.serverName(), doc.path("server_name").asText());
        assertTrue(JsonSigning.verify(doc, b.serverName(), keyOf(b)), "signed by the server");
        assertTrue(JsonSigning.verify(doc, a.serverName(), keyOf(a)), "signed by the notary");
    }

    @Test
    void batchNotaryQueryHonoursTheKeyIdsAsked() {
        String body = "{\"server_keys\":{\"" + b.serverName() + "\":{\"" + keyOf(b).keyId()
                + "\":{\"minimum_valid_until_ts\":" + System.currentTimeMillis() + "}}}}";
        HttpResponse<String> response = a.send(HttpRequest.newBuilder(a.federationUri("/_matrix/key/v2/query"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json"));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode keys = TestHomeserver.json(response).path("server_keys");
        assertEquals(1, keys.size());
        assertTrue(keys.get(0).path("verify_keys").has(keyOf(b).keyId()));

        String nobody = "{\"server_keys\":{}}";
        HttpResponse<String> empty = a.send(HttpRequest.newBuilder(a.federationUri("/_matrix/key/v2/query"))
                .POST(HttpRequest.BodyPublishers.ofString(nobody)).header("Content-Type", "application/json"));
        assertEquals(0, TestHomeserver.json(empty).path("server_keys").size());
    }

    @Test
    void notaryAnswersWithNothingForAServerItCannotReach() {
        String unreachable = "127.0.0.1:" + TestHomeserver.freePort();
        HttpResponse<String> response = a.send(HttpRequest.newBuilder(
                a.federationUri("/_matrix/key/v2/query/" + unreachable)));
        assertEquals(200, response.statusCode());
        assertEquals(0, TestHomeserver.json(response).path("server_keys").size());
    }

    @Test
    void keyRingFetchesThroughTheNotaryWhenTheServerIsDown() {
        try (TestHomeserver c = TestHomeserver.builder()
                .configure(cfg -> cfg.withFederation(cfg.federation().withNotaryServers(List.of(a.serverName()))))
                .start();
             TestHomeserver d = TestHomeserver.start()) {
            // The notary learns d's keys while d is up.
            assertEquals(200, a.send(HttpRequest.newBuilder(
                    a.federationUri("/_matrix/key/v2/query/" + d.serverName()))).statusCode());
            String keyId = keyOf(d).keyId();
            d.stop();
            KeyRing ring = c.homeserver().federation().keyRing;
            Optional<KeyRing.UsableKey> key = ring.key(d.serverName(), keyId, System.currentTimeMillis(), false);
            assertTrue(key.isPresent(), "fetched through the notary");
            assertEquals(keyOf(d), key.get().key());
        }
    }
}
