package org.myelin.server.appservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.server.testing.FakeAppService;
import org.myelin.server.testing.FakeAppService.Received;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Application services against a real homeserver and a real HTTP application service on
 * loopback: registration in namespaces, identity assertion, exclusivity, transactions in order and
 * resent after a failure, queries of unknown users and aliases.
 */
class AppServiceIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String TOKEN = "as-secret-token";
    private static final String FENCED_TOKEN = "fenced-token";

    @TempDir
    static Path dir;
    static FakeAppService bridge;
    static TestHomeserver hs;

    @BeforeAll
    static void start() {
        bridge = new FakeAppService();
        Path registration = bridge.writeRegistration(dir, "bridge", TOKEN, "ip_range_whitelist: ['127.0.0.0/8']\n");
        // Accepted from elsewhere only: the tests run on loopback.
        Path fenced = FakeAppService.writeRegistration(dir, "fenced", null, FENCED_TOKEN,
                "ip_range_whitelist: ['192.0.2.0/24']\n");
        hs = TestHomeserver.builder().configure(c -> c.withAppServiceConfigFiles(List.of(registration, fenced)))
                .start();
    }

    @AfterAll
    static void stop() {
        hs.close();
        bridge.close();
    }

    private String as(String userLocalpart) {
        return "@" + userLocalpart + ":" + hs.serverName();
    }

    private HttpResponse<String> asRequest(String method, String path, String body) {
        return hs.authed(TOKEN, method, path, body);
    }

    private JsonNode registerVirtual(String localpart) {
        HttpResponse<String> r = asRequest("POST", V3 + "/register",
                "{\"type\":\"m.login.application_service\",\"username\":\"" + localpart + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return TestHomeserver.json(r);
    }

    @Test
    void aTokenFromOutsideTheServicesAddressRangesIsUnknown() {
        assertEquals("@bridgebot:" + hs.serverName(), TestHomeserver.json(asRequest("GET", V3 + "/account/whoami", null))
                .path("user_id").asText(), "127.0.0.1 is in the bridge's range");
        HttpResponse<String> outside = hs.authed(FENCED_TOKEN, "GET", V3 + "/account/whoami", null);
        assertEquals(401, outside.statusCode(), outside.body());
        assertEquals("M_UNKNOWN_TOKEN", TestHomeserver.json(outside).path("errcode").asText());
    }

    @Test
    void theServiceRegistersItsUsersAndNoOneElseMay() {
        JsonNode registered = registerVirtual("bridge_alice");
        assertEquals(as("bridge_alice"), registered.path("user_id").asText());
        assertFalse(registered.path("access_token").asText().isEmpty());

        HttpResponse<String> outside = asRequest("POST", V3 + "/register",
                "{\"type\":\"m.login.application_service\",\"username\":\"carol\"}");
        assertEquals(400, outside.statusCode(), outside.body());
        assertEquals("M_EXCLUSIVE", TestHomeserver.json(outside).path("errcode").asText());

        HttpResponse<String> byUser = hs.request("POST", V3 + "/register",
                "{\"username\":\"bridge_mallory\",\"password\":\"p4ssw0rd-long\",\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertEquals(400, byUser.statusCode(), byUser.body());
        assertEquals("M_EXCLUSIVE", TestHomeserver.json(byUser).path("errcode").asText());
        HttpResponse<String> available = hs.get(V3 + "/register/available?username=bridge_mallory");
        assertEquals("M_EXCLUSIVE", TestHomeserver.json(available).path("errcode").asText());

        // matrix-bot-sdk's Intent names the user it registers with user_id, before the user exists.
        HttpResponse<String> named = asRequest("POST", V3 + "/register?user_id=" + TestHomeserver.enc(as("bridge_zoe")),
                "{\"type\":\"m.login.application_service\",\"username\":\"bridge_zoe\"}");
        assertEquals(200, named.statusCode(), named.body());
        assertEquals(as("bridge_zoe"), TestHomeserver.json(named).path("user_id").asText());

        HttpResponse<String> withoutToken = hs.request("POST", V3 + "/register",
                "{\"type\":\"m.login.application_service\",\"username\":\"bridge_eve\"}");
        assertFalse(withoutToken.statusCode() == 200, withoutToken.body());
    }

    @Test
    void theTokenActsAsTheSenderOrAsAUserOfTheNamespace() {
        JsonNode sender = TestHomeserver.json(asRequest("GET", V3 + "/account/whoami", null));
        assertEquals(as("bridgebot"), sender.path("user_id").asText(), "the sender exists from the start");
        assertFalse(sender.has("device_id"), "an application service's token has no device: " + sender);
        registerVirtual("bridge_bob");
        assertEquals(as("bridge_bob"), TestHomeserver.json(asRequest("GET", V3 + "/account/whoami?user_id="
                + TestHomeserver.enc(as("bridge_bob")), null)).path("user_id").asText());

        TestUser dave = hs.registerUser("dave");
        HttpResponse<String> outside = asRequest("GET", V3 + "/account/whoami?user_id="
                + TestHomeserver.enc(dave.userId()), null);
        assertEquals(403, outside.statusCode(), outside.body());
        assertEquals("M_FORBIDDEN", TestHomeserver.json(outside).path("errcode").asText());
        HttpResponse<String> unregistered = asRequest("GET", V3 + "/account/whoami?user_id="
                + TestHomeserver.enc(as("bridge_nobody")), null);
        assertEquals(403, unregistered.statusCode(), unregistered.body());
    }

    @Test
    void anExclusiveAliasNamespaceRefusesOtherUsers() {
        TestUser erin = hs.registerUser("erin");
        String roomId = hs.expect(200, erin, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        JsonNode refused = hs.expect(400, erin, "PUT", V3 + "/directory/room/"
                + TestHomeserver.enc("#bridge_erin:" + hs.serverName()), "{\"room_id\":\"" + roomId + "\"}");
        assertEquals("M_EXCLUSIVE", refused.path("errcode").asText());
        hs.expect(200, erin, "PUT", V3 + "/directory/room/" + TestHomeserver.enc("#erin:" + hs.serverName()),
                "{\"room_id\":\"" + roomId + "\"}");
    }

    @Test
    void eventsOfInterestArePushedInOrderAndResentAfterAFailure() {
        TestUser frank = hs.registerUser("frank");
        registerVirtual("bridge_frank");
        String roomId = hs.expect(200, frank, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        hs.expect(200, frank, "POST", V3 + "/rooms/" + roomId + "/invite",
                "{\"user_id\":\"" + as("bridge_frank") + "\"}");
        HttpResponse<String> joined = asRequest("POST", V3 + "/join/" + roomId + "?user_id="
                + TestHomeserver.enc(as("bridge_frank")), "{}");
        assertEquals(200, joined.statusCode(), joined.body());
        for (int i = 1; i <= 3; i++) {
            hs.expect(200, frank, "PUT", V3 + "/rooms/" + roomId + "/send/m.room.message/t" + i,
                    "{\"msgtype\":\"m.text\",\"body\":\"hello " + i + "\"}");
        }
        List<String> bodies = new ArrayList<>();
        long lastTxn = 0;
        while (bodies.size() < 3) {
            Received txn = bridge.nextTransaction();
            assertEquals("Bearer " + FakeAppService.HS_TOKEN + "-bridge", txn.authorization());
            assertEquals("PUT", txn.method());
            long txnId = Long.parseLong(txn.path().substring(txn.path().lastIndexOf('/') + 1));
            assertTrue(txnId > lastTxn, "transaction ids increase: " + txnId + " after " + lastTxn);
            lastTxn = txnId;
            for (JsonNode e : txn.body().path("events")) {
                if (e.path("room_id").asText().equals(roomId) && e.path("type").asText().equals("m.room.message")) {
                    bodies.add(e.path("content").path("body").asText());
                    assertEquals(frank.userId(), e.path("sender").asText());
                    assertFalse(e.has("auth_events"), "client format");
                }
            }
            assertFalse(txn.body().has("ephemeral"), "not asked for");
        }
        assertEquals(List.of("hello 1", "hello 2", "hello 3"), bodies);

        bridge.attempts.clear();
        bridge.transactionStatus = 500;
        hs.expect(200, frank, "PUT", V3 + "/rooms/" + roomId + "/send/m.room.message/t4",
                "{\"msgtype\":\"m.text\",\"body\":\"hello 4\"}");
        Received failed = FakeAppService.next(bridge.attempts, "transaction attempt");
        bridge.transactionStatus = 200;
        Received resent = bridge.nextTransaction();
        assertEquals(failed.path(), resent.path(), "the same transaction id");
        assertEquals(failed.body(), resent.body(), "the same body");
        assertEquals("hello 4", resent.body().path("events").get(0).path("content").path("body").asText());
    }

    @Test
    void unknownUsersAndAliasesInTheNamespacesAreAskedOfTheService() {
        String virtual = as("bridge_queried");
        String alias = "#bridge_portal:" + hs.serverName();
        bridge.answer = request -> {
            if (request.path().equals("/_matrix/app/v1/users/" + TestHomeserver.enc(virtual))) {
                registerVirtual("bridge_queried");
                return FakeAppService.Answer.OK;
            }
            if (request.path().equals("/_matrix/app/v1/rooms/" + TestHomeserver.enc(alias))) {
                HttpResponse<String> created = asRequest("POST", V3 + "/createRoom",
                        "{\"room_alias_name\":\"bridge_portal\"}");
                return new FakeAppService.Answer(created.statusCode() == 200 ? 200 : 404, "{}");
            }
            return new FakeAppService.Answer(404, "{\"errcode\":\"M_NOT_FOUND\"}");
        };
        TestUser gina = hs.registerUser("gina");
        JsonNode profile = hs.expect(200, gina, "GET", V3 + "/profile/" + TestHomeserver.enc(virtual), null);
        assertEquals("bridge_queried", profile.path("displayname").asText());
        Received asked = bridge.nextRequest();
        assertEquals("GET", asked.method());
        assertEquals("Bearer " + FakeAppService.HS_TOKEN + "-bridge", asked.authorization());

        JsonNode resolved = hs.expect(200, gina, "GET", V3 + "/directory/room/" + TestHomeserver.enc(alias), null);
        assertTrue(resolved.path("room_id").asText().startsWith("!"), resolved.toString());

        bridge.requests.clear();
        hs.expect(404, gina, "GET", V3 + "/profile/" + TestHomeserver.enc(as("bridge_ghost")), null);
        hs.expect(404, gina, "GET", V3 + "/directory/room/" + TestHomeserver.enc("#bridge_none:" + hs.serverName()),
                null);
        assertEquals(2, bridge.requests.size(), "both asked, both said no");
        hs.expect(404, gina, "GET", V3 + "/profile/" + TestHomeserver.enc(as("nobody_here")), null);
        assertEquals(2, bridge.requests.size(), "users outside the namespace are not asked about");
        bridge.answer = r -> FakeAppService.Answer.OK;
    }

    @Test
    void pingReachesTheService() {
        HttpResponse<String> ok = asRequest("POST", "/_matrix/client/v1/appservice/bridge/ping",
                "{\"transaction_id\":\"ping-1\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(TestHomeserver.json(ok).path("duration_ms").isIntegralNumber(), ok.body());
        Received ping = bridge.requests.stream().filter(r -> r.path().equals("/_matrix/app/v1/ping")).findFirst()
                .orElseThrow();
        assertEquals("POST", ping.method());
        assertEquals("ping-1", ping.body().path("transaction_id").asText());

        HttpResponse<String> otherId = asRequest("POST", "/_matrix/client/v1/appservice/irc/ping", "{}");
        assertEquals(403, otherId.statusCode(), otherId.body());
        TestUser harry = hs.registerUser("harry");
        assertEquals("M_FORBIDDEN", hs.expect(403, harry, "POST", "/_matrix/client/v1/appservice/bridge/ping", "{}")
                .path("errcode").asText());

        bridge.answer = r -> new FakeAppService.Answer(401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
        HttpResponse<String> bad = asRequest("POST", "/_matrix/client/v1/appservice/bridge/ping", "{}");
        bridge.answer = r -> FakeAppService.Answer.OK;
        assertEquals(502, bad.statusCode(), bad.body());
        JsonNode badJson = TestHomeserver.json(bad);
        assertEquals("M_BAD_STATUS", badJson.path("errcode").asText());
        assertEquals(401, badJson.path("status").asInt());
        assertEquals("{\"errcode\":\"M_UNKNOWN_TOKEN\"}", badJson.path("body").asText());
    }

    @Test
    void thirdPartyProtocolsAndLookupsComeFromTheService() {
        TestUser ivy = hs.registerUser("ivy");
        // This service bridges no protocol: nothing is asked of it.
        assertEquals(0, hs.expect(200, ivy, "GET", V3 + "/thirdparty/protocols", null).size());
        assertEquals("M_NOT_FOUND", hs.expect(404, ivy, "GET", V3 + "/thirdparty/protocol/irc", null)
                .path("errcode").asText());
        assertNotNull(hs.expect(404, ivy, "GET", V3 + "/thirdparty/location/irc?channel=x", null));
    }
}
