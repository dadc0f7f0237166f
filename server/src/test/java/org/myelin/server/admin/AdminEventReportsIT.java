package org.myelin.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * Event reports in the admin API (Synapse's "Event Reports API"): listed with Synapse's filters
 * and pages, shown with the reported event, deleted; admins only.
 */
class AdminEventReportsIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String REPORTS = "/_synapse/admin/v1/event_reports";
    private static final AtomicLong TXN = new AtomicLong();

    private static TestHomeserver hs;
    private static TestUser admin;
    private static TestUser alice;
    private static TestUser bob;
    private static TestUser carol;
    private static String namedRoom;
    private static String otherRoom;
    private static final List<String> reported = new ArrayList<>();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        admin = Admins.admin(hs, "admin");
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        carol = hs.registerUser("carol");
        namedRoom = hs.expect(200, alice, "POST", V3 + "/createRoom",
                "{\"preset\":\"public_chat\",\"name\":\"Reported room\",\"room_alias_name\":\"reported\"}")
                .path("room_id").asText();
        otherRoom = hs.expect(200, carol, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        for (String room : List.of(namedRoom, otherRoom)) {
            hs.expect(200, bob, "POST", V3 + "/join/" + enc(room), "{}");
        }
        // Three reports, in this order: bob on alice's message, bob on carol's, alice on bob's.
        report(bob, namedRoom, send(alice, namedRoom), "{\"reason\":\"rude\",\"score\":-50}");
        report(bob, otherRoom, send(carol, otherRoom), "{}");
        report(alice, namedRoom, send(bob, namedRoom), "{\"reason\":\"spam\"}");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String send(TestUser sender, String roomId) {
        return hs.expect(200, sender, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/t"
                + TXN.incrementAndGet(), "{\"msgtype\":\"m.text\",\"body\":\"hello\"}").path("event_id").asText();
    }

    private static void report(TestUser reporter, String roomId, String eventId, String body) {
        hs.expect(200, reporter, "POST", V3 + "/rooms/" + enc(roomId) + "/report/" + enc(eventId), body);
        reported.add(eventId);
    }

    private static List<String> eventIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("event_reports").forEach(r -> ids.add(r.path("event_id").asText()));
        return ids;
    }

    @Test
    void listsTheNewestFirstWithSynapsesFieldsAndPages() {
        JsonNode all = hs.expect(200, admin, "GET", REPORTS, null);
        assertEquals(3, all.path("total").asInt(), all.toString());
        assertEquals(List.of(reported.get(2), reported.get(1), reported.get(0)), eventIds(all));
        assertFalse(all.has("next_token"), "everything on one page");

        JsonNode first = all.path("event_reports").get(2);
        assertEquals(namedRoom, first.path("room_id").asText());
        assertEquals(bob.userId(), first.path("user_id").asText(), "the reporter");
        assertEquals(alice.userId(), first.path("sender").asText(), "the reported event's sender");
        assertEquals("rude", first.path("reason").asText());
        assertEquals(-50, first.path("score").asInt());
        assertEquals("Reported room", first.path("name").asText());
        assertEquals("#reported:" + hs.serverName(), first.path("canonical_alias").asText());
        assertTrue(first.path("id").isIntegralNumber() && first.path("received_ts").asLong() > 0, first.toString());

        JsonNode bare = all.path("event_reports").get(1);
        assertTrue(bare.has("reason") && bare.path("reason").isNull(), "a report without reason: " + bare);
        assertTrue(bare.path("score").isNull() && bare.path("name").isNull() && bare.path("canonical_alias").isNull(),
                bare.toString());

        JsonNode oldest = hs.expect(200, admin, "GET", REPORTS + "?dir=f&limit=2", null);
        assertEquals(List.of(reported.get(0), reported.get(1)), eventIds(oldest));
        assertEquals(2, oldest.path("next_token").asInt());
        assertEquals(3, oldest.path("total").asInt());
        JsonNode rest = hs.expect(200, admin, "GET", REPORTS + "?dir=f&limit=2&from=2", null);
        assertEquals(List.of(reported.get(2)), eventIds(rest));
        assertFalse(rest.has("next_token"));
    }

    @Test
    void filtersByReporterRoomAndEventSender() {
        assertEquals(List.of(reported.get(1), reported.get(0)),
                eventIds(hs.expect(200, admin, "GET", REPORTS + "?user_id=" + enc(bob.userId()), null)));
        assertEquals(List.of(reported.get(2), reported.get(0)),
                eventIds(hs.expect(200, admin, "GET", REPORTS + "?room_id=" + enc(namedRoom), null)));
        JsonNode bySender = hs.expect(200, admin, "GET", REPORTS + "?event_sender_user_id=" + enc(carol.userId()), null);
        assertEquals(List.of(reported.get(1)), eventIds(bySender));
        assertEquals(1, bySender.path("total").asInt());
        assertEquals(2, hs.expect(200, admin, "GET", REPORTS + "?user_id=bob", null).path("total").asInt(),
                "user_id matches a part of the reporter's id, as in Synapse");
    }

    @Test
    void showsAReportWithItsEventAndDeletesIt() {
        hs.expect(200, carol, "POST", V3 + "/join/" + enc(namedRoom), "{}");
        String eventId = send(alice, namedRoom);
        report(carol, namedRoom, eventId, "{\"reason\":\"to delete\"}");
        JsonNode listed = hs.expect(200, admin, "GET", REPORTS + "?user_id=" + enc(carol.userId()), null)
                .path("event_reports").get(0);
        String one = REPORTS + "/" + listed.path("id").asLong();

        JsonNode detail = hs.expect(200, admin, "GET", one, null);
        assertEquals(eventId, detail.path("event_id").asText());
        assertEquals("to delete", detail.path("reason").asText());
        assertEquals(alice.userId(), detail.path("sender").asText());
        assertEquals("Reported room", detail.path("name").asText());
        assertEquals(eventId, detail.path("event_json").path("event_id").asText(eventId),
                "room versions 3+ carry no event_id in the event");
        assertEquals("hello", detail.path("event_json").path("content").path("body").asText());
        assertEquals(alice.userId(), detail.path("event_json").path("sender").asText());
        assertTrue(detail.path("event_json").has("signatures"), "the event as this server keeps it");

        assertEquals(0, hs.expect(200, admin, "DELETE", one, null).size());
        assertEquals("M_NOT_FOUND", hs.expect(404, admin, "GET", one, null).path("errcode").asText());
        assertEquals("M_NOT_FOUND", hs.expect(404, admin, "DELETE", one, null).path("errcode").asText());
        reported.remove(eventId);
    }

    @Test
    void refusesBadParametersAndUsersWhoAreNotAdmins() {
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", REPORTS + "/abc", null).path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", REPORTS + "/-1", null).path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "DELETE", REPORTS + "/x", null).path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", REPORTS + "?limit=-1", null).path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", REPORTS + "?from=-1", null).path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", REPORTS + "?dir=x", null).path("errcode").asText());
        assertEquals("M_NOT_FOUND", hs.expect(404, admin, "GET", REPORTS + "/999999", null).path("errcode").asText());
        for (String[] call : List.of(new String[] {"GET", REPORTS}, new String[] {"GET", REPORTS + "/1"},
                new String[] {"DELETE", REPORTS + "/1"})) {
            assertEquals("M_FORBIDDEN", hs.expect(403, bob, call[0], call[1], null).path("errcode").asText(),
                    String.join(" ", call));
        }
        assertEquals(401, hs.request("GET", REPORTS, null).statusCode());
    }
}
