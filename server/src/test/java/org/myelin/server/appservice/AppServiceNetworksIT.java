package org.myelin.server.appservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.FakeAppService;
import org.myelin.server.testing.FakeAppService.Received;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Application services that bridge a protocol and want ephemeral events, one without a URL and
 * one that cannot be reached: third-party lookups, typing, receipts and to-device messages in
 * transactions, ping failures, published room lists, and transactions that outlive a restart.
 */
class AppServiceNetworksIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String IRC = "irc-token";

    @TempDir
    static Path dir;
    static FakeAppService irc;
    static TestHomeserver hs;

    @BeforeAll
    static void start() {
        irc = new FakeAppService();
        Path ircFile = irc.writeRegistration(dir, "irc", IRC, "protocols: [irc]\nreceive_ephemeral: true\n");
        Path silent = FakeAppService.writeRegistration(dir, "silent", null, "silent-token", "");
        Path gone = FakeAppService.writeRegistration(dir, "gone", "http://127.0.0.1:" + TestHomeserver.freePort(),
                "gone-token", "");
        // Messages limited (5 at once, then hardly any): the bridge's users (rate_limited: false) are not.
        HomeserverConfig.RateLimit unlimited = TestHomeserver.NO_RATE_LIMITS.login();
        hs = TestHomeserver.builder().configure(c -> c.withAppServiceConfigFiles(List.of(ircFile, silent, gone))
                        .withRateLimits(new HomeserverConfig.RateLimits(unlimited, unlimited, unlimited,
                                new HomeserverConfig.RateLimit(0.001, 5))))
                .start();
    }

    @AfterAll
    static void stop() {
        hs.close();
        irc.close();
    }

    private String user(String localpart) {
        return "@" + localpart + ":" + hs.serverName();
    }

    private JsonNode registerVirtual(String localpart) {
        HttpResponse<String> r = hs.authed(IRC, "POST", V3 + "/register",
                "{\"type\":\"m.login.application_service\",\"username\":\"" + localpart + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return TestHomeserver.json(r);
    }

    /** A room of {@code owner} that {@code virtual} joined; transactions so far are drained. */
    private String sharedRoom(TestUser owner, String virtual) {
        String roomId = hs.expect(200, owner, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        hs.expect(200, owner, "POST", V3 + "/rooms/" + roomId + "/invite", "{\"user_id\":\"" + user(virtual) + "\"}");
        HttpResponse<String> joined = hs.authed(IRC, "POST", V3 + "/join/" + roomId + "?user_id="
                + TestHomeserver.enc(user(virtual)), "{}");
        assertEquals(200, joined.statusCode(), joined.body());
        return roomId;
    }

    /** Transactions until one carries a {@code field} entry of {@code type}; that entry. */
    private JsonNode next(String field, String type) {
        return next(field, type, e -> true);
    }

    /** Transactions until one carries a {@code field} entry of {@code type} that {@code also} accepts. */
    private JsonNode next(String field, String type, java.util.function.Predicate<JsonNode> also) {
        while (true) {
            Received txn = irc.nextTransaction();
            for (JsonNode e : txn.body().path(field)) {
                if (e.path("type").asText().equals(type) && also.test(e)) {
                    return e;
                }
            }
        }
    }

    @Test
    void pingFailsAsTheSpecSays() {
        HttpResponse<String> noUrl = hs.authed("silent-token", "POST", "/_matrix/client/v1/appservice/silent/ping", "{}");
        assertEquals(400, noUrl.statusCode(), noUrl.body());
        assertEquals("M_URL_NOT_SET", TestHomeserver.json(noUrl).path("errcode").asText());
        HttpResponse<String> unreachable = hs.authed("gone-token", "POST", "/_matrix/client/v1/appservice/gone/ping",
                "{}");
        assertEquals(502, unreachable.statusCode(), unreachable.body());
        assertEquals("M_CONNECTION_FAILED", TestHomeserver.json(unreachable).path("errcode").asText());
        assertEquals(user("silentbot"), TestHomeserver.json(hs.authed("silent-token", "GET", V3 + "/account/whoami",
                null)).path("user_id").asText());
    }

    @Test
    void thirdPartyProtocolsAndLookupsAreAskedOfTheBridge() {
        irc.answer = r -> switch (r.path()) {
            case "/_matrix/app/v1/thirdparty/protocol/irc" -> new FakeAppService.Answer(200, """
                    {"user_fields":["network","nickname"],"location_fields":["network","channel"],"icon":"mxc://x/y",
                     "field_types":{},"instances":[{"desc":"Libera","network_id":"libera","fields":{}}]}""");
            case "/_matrix/app/v1/thirdparty/location/irc" -> new FakeAppService.Answer(200, """
                    [{"alias":"#irc_libera_#matrix:x","protocol":"irc","fields":{"channel":"#matrix"}},
                     {"protocol":"irc"}]""");
            default -> new FakeAppService.Answer(404, "{}");
        };
        TestUser kim = hs.registerUser("kim");
        JsonNode protocols = hs.expect(200, kim, "GET", V3 + "/thirdparty/protocols", null);
        assertEquals("irc|libera", protocols.path("irc").path("instances").get(0).path("instance_id").asText());
        assertEquals("mxc://x/y", hs.expect(200, kim, "GET", V3 + "/thirdparty/protocol/irc", null)
                .path("icon").asText());
        hs.expect(404, kim, "GET", V3 + "/thirdparty/protocol/xmpp", null);
        irc.requests.clear();
        JsonNode found = hs.expect(200, kim, "GET", V3 + "/thirdparty/location/irc?channel=%23matrix", null);
        assertEquals(1, found.size(), "the invalid result is left out: " + found);
        assertEquals("#irc_libera_#matrix:x", found.get(0).path("alias").asText());
        Received asked = irc.nextRequest();
        assertEquals("channel=%23matrix", asked.query());
        hs.expect(404, kim, "GET", V3 + "/thirdparty/user/xmpp", null);
        irc.answer = r -> new FakeAppService.Answer(200, "[]");
        assertEquals(0, hs.expect(200, kim, "GET", V3 + "/thirdparty/user/irc?nick=x", null).size());
        irc.answer = r -> FakeAppService.Answer.OK;
    }

    @Test
    void typingReceiptsPresenceAndToDeviceMessagesReachTheBridge() {
        TestUser lee = hs.registerUser("lee");
        JsonNode virtual = registerVirtual("irc_lee");
        String roomId = sharedRoom(lee, "irc_lee");
        hs.expect(200, lee, "PUT", V3 + "/rooms/" + roomId + "/typing/" + TestHomeserver.enc(lee.userId()),
                "{\"typing\":true,\"timeout\":30000}");
        JsonNode typing = next("ephemeral", "m.typing");
        assertEquals(roomId, typing.path("room_id").asText());
        assertEquals(lee.userId(), typing.path("content").path("user_ids").get(0).asText());

        String eventId = hs.expect(200, lee, "PUT", V3 + "/rooms/" + roomId + "/send/m.room.message/r1",
                "{\"msgtype\":\"m.text\",\"body\":\"read me\"}").path("event_id").asText();
        hs.expect(200, lee, "POST", V3 + "/rooms/" + roomId + "/receipt/m.read/" + TestHomeserver.enc(eventId), "{}");
        JsonNode receipt = next("ephemeral", "m.receipt");
        assertTrue(receipt.path("content").path(eventId).path("m.read").has(lee.userId()), receipt.toString());

        hs.expect(200, lee, "PUT", V3 + "/presence/" + TestHomeserver.enc(lee.userId()) + "/status",
                "{\"presence\":\"online\",\"status_msg\":\"bridging\"}");
        // An earlier change (lee active) may come first.
        JsonNode presence = next("ephemeral", "m.presence",
                e -> e.path("content").path("status_msg").asText().equals("bridging"));
        assertEquals(lee.userId(), presence.path("sender").asText());
        assertEquals("online", presence.path("content").path("presence").asText());

        hs.expect(200, lee, "PUT", V3 + "/sendToDevice/m.test/td1", "{\"messages\":{\"" + user("irc_lee")
                + "\":{\"" + virtual.path("device_id").asText() + "\":{\"hello\":\"device\"}}}}");
        JsonNode message = next("de.sorunome.msc2409.to_device", "m.test");
        assertEquals(lee.userId(), message.path("sender").asText());
        assertEquals(user("irc_lee"), message.path("to_user_id").asText());
        assertEquals(virtual.path("device_id").asText(), message.path("to_device_id").asText());
        assertEquals("device", message.path("content").path("hello").asText());

        // To all of the user's devices: one message per device, named (as Synapse reads the inbox).
        hs.expect(200, lee, "PUT", V3 + "/sendToDevice/m.test.all/td2", "{\"messages\":{\"" + user("irc_lee")
                + "\":{\"*\":{\"hello\":\"everyone\"}}}}");
        JsonNode toAll = next("de.sorunome.msc2409.to_device", "m.test.all");
        assertEquals(virtual.path("device_id").asText(), toAll.path("to_device_id").asText(), toAll.toString());
        assertEquals("everyone", toAll.path("content").path("hello").asText());
    }

    @Test
    void theUsersOfABridgeThatIsNotRateLimitedAreNot() {
        TestUser olga = hs.registerUser("olga");
        registerVirtual("irc_olga");
        String roomId = sharedRoom(olga, "irc_olga");
        int limited = 0;
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> byVirtual = hs.authed(IRC, "PUT", V3 + "/rooms/" + roomId + "/send/m.room.message/v" + i
                    + "?user_id=" + TestHomeserver.enc(user("irc_olga")), "{\"msgtype\":\"m.text\",\"body\":\"v\"}");
            assertEquals(200, byVirtual.statusCode(), byVirtual.body());
            HttpResponse<String> byOlga = hs.authed(olga.accessToken(), "PUT", V3 + "/rooms/" + roomId
                    + "/send/m.room.message/o" + i, "{\"msgtype\":\"m.text\",\"body\":\"o\"}");
            limited += byOlga.statusCode() == 429 ? 1 : 0;
        }
        assertTrue(limited >= 3, "olga is limited: " + limited + " of 8 refused");
    }

    @Test
    void onlyABridgePublishesRoomsInItsNetworkDirectory() {
        TestUser max = hs.registerUser("max");
        String roomId = hs.expect(200, max, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        String path = V3 + "/directory/list/appservice/libera/" + TestHomeserver.enc(roomId);
        assertEquals(200, hs.authed(IRC, "PUT", path, "{\"visibility\":\"public\"}").statusCode());
        assertEquals(400, hs.authed(IRC, "PUT", path, "{\"visibility\":\"secret\"}").statusCode());
        JsonNode network = hs.expect(200, max, "POST", V3 + "/publicRooms",
                "{\"third_party_instance_id\":\"irc|libera\"}");
        assertEquals(roomId, network.path("chunk").get(0).path("room_id").asText(), network.toString());
        assertEquals(1, network.path("chunk").size());
        assertEquals(0, hs.expect(200, max, "POST", V3 + "/publicRooms", "{\"third_party_instance_id\":\"irc|oftc\"}")
                .path("chunk").size());
        assertTrue(hs.expect(200, max, "POST", V3 + "/publicRooms", "{\"include_all_networks\":true}")
                .path("chunk").toString().contains(roomId));
        assertTrue(!hs.expect(200, max, "POST", V3 + "/publicRooms", "{}").path("chunk").toString().contains(roomId),
                "not in the main directory");
        assertEquals("M_FORBIDDEN", hs.expect(403, max, "PUT", path, "{\"visibility\":\"public\"}")
                .path("errcode").asText());
        assertEquals(200, hs.authed(IRC, "DELETE", path, null).statusCode());
    }

    @Test
    void aTransactionNotAcknowledgedOutlivesARestart() {
        TestUser noa = hs.registerUser("noa");
        registerVirtual("irc_noa");
        String roomId = sharedRoom(noa, "irc_noa");
        irc.transactionStatus = 503;
        irc.attempts.clear();
        hs.expect(200, noa, "PUT", V3 + "/rooms/" + roomId + "/send/m.room.message/p1",
                "{\"msgtype\":\"m.text\",\"body\":\"kept across the restart\"}");
        Received failed = FakeAppService.next(irc.attempts, "transaction attempt");
        hs.stop();
        irc.transactionStatus = 200;
        irc.transactions.clear();
        hs.restart();
        Received first = irc.nextTransaction();
        assertEquals(failed.path(), first.path(), "resent under the same transaction id");
        assertEquals(failed.body(), first.body(), "with the same events");
        Received delivered = first;
        while (!delivered.body().toString().contains("kept across the restart")) {
            delivered = irc.nextTransaction();
        }
        hs.expect(200, noa, "PUT", V3 + "/rooms/" + roomId + "/send/m.room.message/p2",
                "{\"msgtype\":\"m.text\",\"body\":\"after\"}");
        Received after;
        do {
            after = irc.nextTransaction();
        } while (!after.body().toString().contains("\"after\""));
        long failedId = Long.parseLong(failed.path().substring(failed.path().lastIndexOf('/') + 1));
        long afterId = Long.parseLong(after.path().substring(after.path().lastIndexOf('/') + 1));
        assertTrue(afterId > failedId, "ids keep increasing after a restart");
    }
}
