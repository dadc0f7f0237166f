package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.account.Requests.errcode;
import static org.myelin.server.client.account.Requests.json;
import static org.myelin.server.client.account.Requests.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;

/**
 * {@code registration.require_token}: the {@code m.login.registration_token} stage, the
 * validity endpoint, and the admin API that creates tokens.
 */
class RegistrationTokenIT {

    private static final String REGISTER = "/_matrix/client/v3/register";
    private static final String VALIDITY = "/_matrix/client/v1/register/m.login.registration_token/validity?token=";
    private static final String ADMIN = "/_synapse/admin/v1/registration_tokens";
    private static TestHomeserver hs;
    private static String adminToken;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder().configure(c -> c.withRegistration(
                new HomeserverConfig.Registration(true, true, true, false, "s3cret"))).start();
        adminToken = SharedSecretRegistrationIT.register(hs, "s3cret", "admin", "adminpw", true)
                .path("access_token").asText();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String createToken(String body) {
        HttpResponse<String> r = hs.authed(adminToken, "POST", ADMIN + "/new", body);
        assertEquals(200, r.statusCode(), r.body());
        return json(r).path("token").asText();
    }

    private static HttpResponse<String> register(String username, String auth) {
        return hs.request("POST", REGISTER, "{\"username\":\"" + username + "\",\"password\":\"pw\""
                + (auth == null ? "" : ",\"auth\":" + auth) + "}");
    }

    @Test
    void offersOnlyTheTokenFlow() {
        HttpResponse<String> r = register("flows", null);
        assertEquals(401, r.statusCode());
        JsonNode flows = json(r).path("flows");
        assertEquals(1, flows.size());
        assertEquals("m.login.registration_token", flows.path(0).path("stages").path(0).asText());
        HttpResponse<String> dummy = register("flows", "{\"type\":\"m.login.dummy\",\"session\":\"" + session(r) + "\"}");
        assertEquals(401, dummy.statusCode(), "dummy is not a stage of the flow");
        assertEquals("M_FORBIDDEN", errcode(dummy));
    }

    @Test
    void registersWithAValidTokenAndSpendsIt() {
        String token = createToken("{\"uses_allowed\":1}");
        assertTrue(json(hs.get(VALIDITY + token)).path("valid").asBoolean());
        String session = session(register("withtoken", null));
        HttpResponse<String> r = register("withtoken", "{\"type\":\"m.login.registration_token\",\"token\":\""
                + token + "\",\"session\":\"" + session + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(json(hs.get(VALIDITY + token)).path("valid").asBoolean(), "its one use is spent");
        HttpResponse<String> second = register("secondtoken", "{\"type\":\"m.login.registration_token\",\"token\":\""
                + token + "\"}");
        assertEquals(401, second.statusCode());
        assertEquals("M_UNAUTHORIZED", errcode(second));
        JsonNode shown = json(hs.authed(adminToken, "GET", ADMIN + "/" + token, null));
        assertEquals(1, shown.path("completed").asInt());
        assertEquals(0, shown.path("pending").asInt());
    }

    @Test
    void wrongTokenIs401UnauthorizedWithTheFlows() {
        HttpResponse<String> r = register("wrongtoken", "{\"type\":\"m.login.registration_token\",\"token\":\"nope\"}");
        assertEquals(401, r.statusCode());
        assertEquals("M_UNAUTHORIZED", errcode(r));
        assertTrue(json(r).has("flows"));
        assertFalse(json(hs.get(VALIDITY + "nope")).path("valid").asBoolean());
    }

    @Test
    void expiredTokenIsInvalid() {
        String token = createToken("{}");
        hs.homeserver().accounts().registrationTokens.create("expired", null, 1L);
        assertTrue(json(hs.get(VALIDITY + token)).path("valid").asBoolean());
        assertFalse(json(hs.get(VALIDITY + "expired")).path("valid").asBoolean());
    }

    @Test
    void validityNeedsAToken() {
        HttpResponse<String> r = hs.get("/_matrix/client/v1/register/m.login.registration_token/validity");
        assertEquals(400, r.statusCode());
        assertEquals("M_MISSING_PARAM", errcode(r));
    }

    @Test
    void adminApiCreatesListsAndShowsTokens() {
        String chosen = createToken("{\"token\":\"chosen-token\",\"uses_allowed\":5}");
        assertEquals("chosen-token", chosen);
        String generated = createToken("{\"length\":20}");
        assertEquals(20, generated.length());
        HttpResponse<String> duplicate = hs.authed(adminToken, "POST", ADMIN + "/new", "{\"token\":\"chosen-token\"}");
        assertEquals(400, duplicate.statusCode());
        assertEquals("M_INVALID_PARAM", errcode(duplicate));
        assertEquals(400, hs.authed(adminToken, "POST", ADMIN + "/new", "{\"token\":\"bad token!\"}").statusCode());
        JsonNode list = json(hs.authed(adminToken, "GET", ADMIN, null));
        assertTrue(list.path("registration_tokens").toString().contains("chosen-token"));
        JsonNode shown = json(hs.authed(adminToken, "GET", ADMIN + "/chosen-token", null));
        assertEquals(5, shown.path("uses_allowed").asInt());
        assertEquals(404, hs.authed(adminToken, "GET", ADMIN + "/unknown", null).statusCode());
    }

    @Test
    void adminApiRefusesNonAdmins() {
        String token = createToken("{}");
        HttpResponse<String> reg = register("plainuser", "{\"type\":\"m.login.registration_token\",\"token\":\""
                + token + "\"}");
        assertEquals(200, reg.statusCode(), reg.body());
        HttpResponse<String> r = hs.authed(json(reg).path("access_token").asText(), "POST", ADMIN + "/new", "{}");
        assertEquals(403, r.statusCode());
        assertEquals("M_FORBIDDEN", errcode(r));
    }
}
