package org.myelin.server.client.voip;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /voip/turnServer}: none, credentials from a shared secret, or fixed ones. */
class TurnServerIT {

    static final String PATH = "/_matrix/client/v3/voip/turnServer";
    static final List<String> URIS = List.of("turn:turn.example.org:3478?transport=udp",
            "turns:turn.example.org:5349?transport=tcp");

    static JsonNode get(TestHomeserver hs, TestUser user, int status) {
        HttpResponse<String> r = user == null ? hs.request("GET", PATH, null) : hs.authed(user.accessToken(), "GET", PATH, null);
        assertEquals(status, r.statusCode(), r.body());
        return TestHomeserver.json(r);
    }

    @Test
    void noTurnServerConfiguredIsAnEmptyAnswer() {
        try (TestHomeserver hs = TestHomeserver.start()) {
            TestUser alice = hs.registerUser("alice");
            assertEquals(0, get(hs, alice, 200).size());
            assertEquals("M_MISSING_TOKEN", get(hs, null, 401).path("errcode").asText());
        }
    }

    @Test
    void aSharedSecretGivesExpiringCredentialsTheTurnServerCanCheck() throws Exception {
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c.withVoip(
                new HomeserverConfig.Voip(URIS, "s3cret", null, null, 86_400_000L, true))).start()) {
            TestUser alice = hs.registerUser("alice");
            long before = System.currentTimeMillis() / 1000;
            JsonNode turn = get(hs, alice, 200);
            String username = turn.path("username").asText();
            String[] parts = username.split(":", 2);
            long expiry = Long.parseLong(parts[0]);
            assertTrue(expiry >= before + 86_400 && expiry <= before + 86_400 + 60, username);
            assertEquals(alice.userId(), parts[1]);
            // What coturn computes with static-auth-secret=s3cret.
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            assertEquals(Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))),
                    turn.path("password").asText());
            assertEquals(86_400, turn.path("ttl").asLong());
            assertEquals(URIS, List.of(turn.path("uris").get(0).asText(), turn.path("uris").get(1).asText()));
        }
    }

    @Test
    void fixedCredentialsAreGivenAsConfigured() {
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c.withVoip(
                new HomeserverConfig.Voip(URIS.subList(0, 1), null, "turnuser", "turnpass", 3_600_000L, true))).start()) {
            JsonNode turn = get(hs, hs.registerUser("bob"), 200);
            assertEquals("turnuser", turn.path("username").asText());
            assertEquals("turnpass", turn.path("password").asText());
            assertEquals(3_600, turn.path("ttl").asLong());
            assertEquals(1, turn.path("uris").size());
        }
    }
}
