package org.myelin.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.server.testing.BadJson;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * One nesting limit ({@link MatrixJson#MAX_DEPTH}) checked when events and bodies are written: an
 * event at the limit is accepted and read back by every member, anything deeper is 400 M_BAD_JSON,
 * however deep (no StackOverflowError), and nothing accepted fails on read.
 */
class NestingLimitIT {

    private static final String V3 = "/_matrix/client/v3";
    private static TestHomeserver hs;
    private static TestUser alice;
    private static TestUser bob;
    private static String roomId;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        roomId = hs.expect(200, alice, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}").path("room_id")
                .asText();
        hs.expect(200, bob, "POST", room() + "/join", "{}");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String room() {
        return V3 + "/rooms/" + enc(roomId);
    }

    @Test
    void contentAtTheLimitIsAcceptedAndEveryMemberReadsTheRoom() {
        // The content one level inside the event: the event is at the limit.
        String eventId = hs.expect(200, alice, "PUT", room() + "/send/org.example.deep/deep1",
                BadJson.deepObject(MatrixJson.MAX_DEPTH - 1)).path("event_id").asText();
        hs.expect(200, alice, "PUT", room() + "/state/org.example.deep/", BadJson.deepObject(MatrixJson.MAX_DEPTH - 1));
        for (TestUser member : new TestUser[]{alice, bob}) {
            hs.expect(200, member, "GET", V3 + "/sync?timeout=0", null);
            hs.expect(200, member, "GET", room() + "/messages?dir=b", null);
            hs.expect(200, member, "GET", room() + "/context/" + enc(eventId), null);
            hs.expect(200, member, "GET", room() + "/state", null);
        }
        JsonNode event = hs.expect(200, bob, "GET", room() + "/event/" + enc(eventId), null);
        assertEquals(MatrixJson.MAX_DEPTH - 1, MatrixJson.depth(event.path("content")));
    }

    @Test
    void deeperContentIsBadJsonHoweverDeep() {
        for (int levels : new int[]{MatrixJson.MAX_DEPTH, MatrixJson.MAX_DEPTH + 1, 200, 900, 10_000}) {
            assertBadJson(hs.authed(alice.accessToken(), "PUT", room() + "/send/org.example.deep/too" + levels,
                    BadJson.deepObject(levels)));
            assertBadJson(hs.authed(alice.accessToken(), "PUT", room() + "/state/org.example.deep/" + levels,
                    BadJson.deepObject(levels)));
            assertBadJson(hs.authed(alice.accessToken(), "PUT", V3 + "/user/" + enc(alice.userId())
                    + "/account_data/org.example.deep", "{\"a\":" + BadJson.deep(levels) + "}"));
            assertBadJson(hs.authed(alice.accessToken(), "POST", V3 + "/createRoom",
                    "{\"creation_content\":" + BadJson.deepObject(levels) + "}"));
        }
        hs.expect(200, alice, "GET", V3 + "/sync?timeout=0", null);
        hs.expect(200, bob, "GET", room() + "/messages?dir=b", null);
    }

    @Test
    void accountDataAtTheLimitReadsBack() {
        String path = V3 + "/user/" + enc(alice.userId()) + "/account_data/org.example.limit";
        hs.expect(200, alice, "PUT", path, BadJson.deepObject(MatrixJson.MAX_DEPTH));
        assertEquals(MatrixJson.MAX_DEPTH, MatrixJson.depth(hs.expect(200, alice, "GET", path, null)));
        hs.expect(200, alice, "GET", V3 + "/sync?timeout=0", null);
    }

    private static void assertBadJson(HttpResponse<String> r) {
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("M_BAD_JSON", TestHomeserver.json(r).path("errcode").asText(), r.body());
    }
}
