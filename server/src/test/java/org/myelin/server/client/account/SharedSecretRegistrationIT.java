package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.account.Requests.errcode;
import static org.myelin.server.client.account.Requests.json;
import static org.myelin.server.client.account.Requests.object;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;

/** Synapse-compatible shared-secret registration ({@code /_synapse/admin/v1/register}). */
class SharedSecretRegistrationIT {

    static final String PATH = "/_synapse/admin/v1/register";
    private static final String SECRET = "a shared secret";
    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder().configure(c -> c.withRegistration(
                new HomeserverConfig.Registration(false, true, false, false, SECRET))).start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    /** What Synapse's register_new_matrix_user computes. */
    static String mac(String secret, String nonce, String user, String password, boolean admin) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA1");
            hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String message = nonce + "\0" + user + "\0" + password + "\0" + (admin ? "admin" : "notadmin");
            return HexFormat.of().formatHex(hmac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static String nonce(TestHomeserver server) {
        HttpResponse<String> r = server.get(PATH);
        assertEquals(200, r.statusCode(), r.body());
        return json(r).path("nonce").asText();
    }

    static ObjectNode body(String nonce, String user, String password, boolean admin, String mac) {
        return object().put("nonce", nonce).put("username", user).put("password", password).put("admin", admin)
                .put("mac", mac);
    }

    /** Registers through the shared secret and returns the response body (for other tests). */
    static JsonNode register(TestHomeserver server, String secret, String user, String password, boolean admin) {
        String nonce = nonce(server);
        HttpResponse<String> r = server.request("POST", PATH,
                body(nonce, user, password, admin, mac(secret, nonce, user, password, admin)).toString());
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    @Test
    void correctMacRegistersEvenWithRegistrationOff() {
        JsonNode body = register(hs, SECRET, "Operator", "pw", true);
        assertEquals("@operator:" + hs.serverName(), body.path("user_id").asText(), "lower-cased like Synapse");
        assertEquals(hs.serverName(), body.path("home_server").asText());
        assertEquals(200, hs.authed(body.path("access_token").asText(), "GET", "/_matrix/client/v3/account/whoami",
                null).statusCode());
        assertTrue(hs.homeserver().accounts().isAdmin(body.path("user_id").asText()));
        assertEquals(200, hs.request("POST", "/_matrix/client/v3/login", Requests.login("operator", "pw")).statusCode());
    }

    @Test
    void notAdminUnlessAsked() {
        JsonNode body = register(hs, SECRET, "plain", "pw", false);
        assertFalse(hs.homeserver().accounts().isAdmin(body.path("user_id").asText()));
    }

    @Test
    void wrongMacIs403() {
        String nonce = nonce(hs);
        HttpResponse<String> r = hs.request("POST", PATH,
                body(nonce, "intruder", "pw", true, mac("wrong secret", nonce, "intruder", "pw", true)).toString());
        assertEquals(403, r.statusCode(), r.body());
        assertFalse(hs.homeserver().accounts().accounts.exists("@intruder:" + hs.serverName()));
    }

    @Test
    void macOverDifferentFieldsIs403() {
        String nonce = nonce(hs);
        HttpResponse<String> r = hs.request("POST", PATH,
                body(nonce, "sneaky", "pw", true, mac(SECRET, nonce, "sneaky", "pw", false)).toString());
        assertEquals(403, r.statusCode(), "a mac for notadmin does not make an admin");
    }

    @Test
    void aNonceWorksOnlyOnce() {
        String nonce = nonce(hs);
        String mac = mac(SECRET, nonce, "once", "pw", false);
        assertEquals(200, hs.request("POST", PATH, body(nonce, "once", "pw", false, mac).toString()).statusCode());
        String mac2 = mac(SECRET, nonce, "twice", "pw", false);
        HttpResponse<String> reuse = hs.request("POST", PATH, body(nonce, "twice", "pw", false, mac2).toString());
        assertEquals(400, reuse.statusCode(), reuse.body());
    }

    @Test
    void aFailedAttemptUsesTheNonceUp() {
        String nonce = nonce(hs);
        assertEquals(403, hs.request("POST", PATH, body(nonce, "retry", "pw", false, "00").toString()).statusCode());
        String mac = mac(SECRET, nonce, "retry", "pw", false);
        assertEquals(400, hs.request("POST", PATH, body(nonce, "retry", "pw", false, mac).toString()).statusCode());
    }

    @Test
    void unknownNonceIs400() {
        HttpResponse<String> r = hs.request("POST", PATH,
                body("made-up", "x", "pw", false, mac(SECRET, "made-up", "x", "pw", false)).toString());
        assertEquals(400, r.statusCode());
    }

    @Test
    void takenUsernameIs400UserInUse() {
        register(hs, SECRET, "dup", "pw", false);
        String nonce = nonce(hs);
        HttpResponse<String> r = hs.request("POST", PATH,
                body(nonce, "dup", "pw", false, mac(SECRET, nonce, "dup", "pw", false)).toString());
        assertEquals(400, r.statusCode());
        assertEquals("M_USER_IN_USE", errcode(r));
    }

    @Test
    void missingFieldsAre400() {
        String nonce = nonce(hs);
        HttpResponse<String> r = hs.request("POST", PATH, object().put("nonce", nonce).put("password", "pw")
                .put("mac", "00").toString());
        assertEquals(400, r.statusCode());
        assertEquals("M_BAD_JSON", errcode(r));
    }

    @Test
    void disabledWithoutASecret() {
        try (TestHomeserver plain = TestHomeserver.start()) {
            assertEquals(400, plain.get(PATH).statusCode());
            assertEquals(400, plain.request("POST", PATH, body("n", "u", "p", false, "00").toString()).statusCode());
        }
    }
}
