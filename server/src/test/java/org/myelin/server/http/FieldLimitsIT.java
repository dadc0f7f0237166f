package org.myelin.server.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * The size limits of what clients store outside events, each a 4xx with an errcode, never 500 and
 * never pushed to others' syncs; and numbers in event content as room versions 6+ allow them.
 */
class FieldLimitsIT {

    private static final String V3 = "/_matrix/client/v3";
    private static TestHomeserver hs;
    private static TestUser alice;
    private static TestUser bob;
    private static String roomId;
    private static String eventId;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        roomId = hs.expect(200, alice, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}").path("room_id")
                .asText();
        hs.expect(200, bob, "POST", room() + "/join", "{}");
        eventId = hs.expect(200, alice, "PUT", room() + "/send/m.room.message/t1", "{\"body\":\"hi\"}")
                .path("event_id").asText();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String room() {
        return V3 + "/rooms/" + enc(roomId);
    }

    private static String string(int length) {
        return "\"" + "x".repeat(length) + "\"";
    }

    @Test
    void aPresenceStatusIsALineNotFourMebibytes() {
        String status = V3 + "/presence/" + enc(alice.userId()) + "/status";
        assertError(hs.authed(alice.accessToken(), "PUT", status,
                "{\"presence\":\"online\",\"status_msg\":" + string(4 << 20) + "}"), 413, "M_TOO_LARGE");
        assertError(hs.authed(alice.accessToken(), "PUT", status,
                "{\"presence\":\"online\",\"status_msg\":" + string(1025) + "}"), 400, "M_TOO_LARGE");
        hs.expect(200, alice, "PUT", status, "{\"presence\":\"online\",\"status_msg\":" + string(1024) + "}");
        assertFalse(hs.expect(200, bob, "GET", V3 + "/sync?timeout=0", null).toString().contains("x".repeat(1025)));
    }

    @Test
    void accountDataIsAtMostAMebibyte() {
        String path = V3 + "/user/" + enc(alice.userId()) + "/account_data/org.example.big";
        assertError(hs.authed(alice.accessToken(), "PUT", path, "{\"a\":" + string(1 << 20) + "}"), 413,
                "M_TOO_LARGE");
        assertError(hs.authed(alice.accessToken(), "PUT", V3 + "/user/" + enc(alice.userId()) + "/rooms/"
                + enc(roomId) + "/tags/u.big", "{\"a\":" + string(1 << 20) + "}"), 413, "M_TOO_LARGE");
        hs.expect(200, alice, "PUT", path, "{\"a\":" + string(512 * 1024) + "}");
    }

    @Test
    void aDeviceNameIsAtMostAHundredCharacters() {
        assertError(hs.authed(alice.accessToken(), "PUT", V3 + "/devices/" + enc(alice.deviceId()),
                "{\"display_name\":" + string(101) + "}"), 400, "M_TOO_LARGE");
        hs.expect(200, alice, "PUT", V3 + "/devices/" + enc(alice.deviceId()), "{\"display_name\":" + string(100) + "}");
        assertError(hs.request("POST", V3 + "/login", "{\"type\":\"m.login.password\",\"identifier\":{\"type\":"
                + "\"m.id.user\",\"user\":\"alice\"},\"password\":\"" + alice.password()
                + "\",\"initial_device_display_name\":" + string(101) + "}"), 400, "M_TOO_LARGE");
        assertError(hs.request("POST", V3 + "/register", "{\"username\":\"longdevice\",\"password\":\"pw\","
                + "\"auth\":{\"type\":\"m.login.dummy\"},\"initial_device_display_name\":" + string(101) + "}"), 400,
                "M_TOO_LARGE");
    }

    @Test
    void aUserDirectorySearchTermIsBounded() {
        assertError(hs.authed(alice.accessToken(), "POST", V3 + "/user_directory/search",
                "{\"search_term\":" + string(1 << 20) + "}"), 413, "M_TOO_LARGE");
        assertError(hs.authed(alice.accessToken(), "POST", V3 + "/user_directory/search",
                "{\"search_term\":" + string(1025) + "}"), 400, "M_TOO_LARGE");
        hs.expect(200, alice, "POST", V3 + "/user_directory/search", "{\"search_term\":" + string(1024) + "}");
    }

    @Test
    void aReceiptThreadIsMainOrAnEventId() {
        String receipt = room() + "/receipt/m.read/" + enc(eventId);
        assertError(hs.authed(alice.accessToken(), "POST", receipt, "{\"thread_id\":" + string(1 << 20) + "}"), 413,
                "M_TOO_LARGE");
        assertError(hs.authed(alice.accessToken(), "POST", receipt, "{\"thread_id\":" + string(1 << 10) + "}"), 400,
                "M_INVALID_PARAM");
        assertError(hs.authed(alice.accessToken(), "POST", receipt, "{\"thread_id\":\"not a thread\"}"), 400,
                "M_INVALID_PARAM");
        hs.expect(200, alice, "POST", receipt, "{\"thread_id\":\"main\"}");
        // The message becomes a thread's root: a receipt in its thread may name it.
        hs.expect(200, bob, "PUT", room() + "/send/m.room.message/reply", "{\"body\":\"re\",\"m.relates_to\":"
                + "{\"rel_type\":\"m.thread\",\"event_id\":\"" + eventId + "\"}}");
        hs.expect(200, alice, "POST", receipt, "{\"thread_id\":\"" + eventId + "\"}");
        hs.expect(200, bob, "GET", V3 + "/sync?timeout=0", null);
    }

    @Test
    void aPathParameterFitsAnIndexEntry() {
        String longName = "x".repeat(1025);
        assertError(hs.authed(alice.accessToken(), "PUT", V3 + "/user/" + enc(alice.userId()) + "/account_data/"
                + longName, "{}"), 400, "M_INVALID_PARAM");
        assertError(hs.authed(alice.accessToken(), "PUT", room() + "/send/m.room.message/" + longName,
                "{\"body\":\"hi\"}"), 400, "M_INVALID_PARAM");
        assertError(hs.authed(alice.accessToken(), "PUT", V3 + "/pushrules/global/override/" + longName,
                "{\"actions\":[]}"), 400, "M_INVALID_PARAM");
        hs.expect(200, alice, "PUT", room() + "/send/m.room.message/" + "x".repeat(1024), "{\"body\":\"hi\"}");
    }

    @Test
    void eventContentHoldsIntegersOnly() {
        for (String number : new String[]{"1.5", "2.0", "1e400", "9007199254740993", "-0.5"}) {
            assertError(hs.authed(alice.accessToken(), "PUT", room() + "/send/m.room.message/n" + number.hashCode(),
                    "{\"body\":\"n\",\"n\":" + number + "}"), 400, "M_BAD_JSON");
            assertError(hs.authed(alice.accessToken(), "PUT", room() + "/state/org.example.n/",
                    "{\"n\":[" + number + "]}"), 400, "M_BAD_JSON");
            assertError(hs.authed(alice.accessToken(), "POST", V3 + "/createRoom",
                    "{\"creation_content\":{\"n\":" + number + "}}"), 400, "M_BAD_JSON");
        }
        hs.expect(200, alice, "PUT", room() + "/send/m.room.message/int", "{\"body\":\"n\",\"n\":9007199254740991}");
        // Account data is no event: a tag's order is a float by the spec.
        hs.expect(200, alice, "PUT", V3 + "/user/" + enc(alice.userId()) + "/rooms/" + enc(roomId) + "/tags/u.work",
                "{\"order\":0.25}");
        hs.expect(200, alice, "GET", V3 + "/sync?timeout=0", null);
    }

    private static void assertError(HttpResponse<String> r, int status, String errcode) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(errcode, TestHomeserver.json(r).path("errcode").asText(), r.body());
    }
}
