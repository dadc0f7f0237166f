package org.myelin.server.client.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/** {@code GET /notifications}: the push actions recorded for each event that notifies a local user. */
class NotificationsIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final AtomicLong TXN = new AtomicLong();
    private static final AtomicLong USERS = new AtomicLong();

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    /** Three fresh users in a room of their own: alice (creator), bob and carol. */
    private record Room(String roomId, TestUser alice, TestUser bob, TestUser carol) {
    }

    private static Room groupRoom() {
        long n = USERS.incrementAndGet();
        TestUser alice = hs.registerUser("alice" + n);
        TestUser bob = hs.registerUser("bob" + n);
        TestUser carol = hs.registerUser("carol" + n);
        String roomId = hs.expect(200, alice, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        for (TestUser u : List.of(bob, carol)) {
            hs.expect(200, alice, "POST", V3 + "/rooms/" + enc(roomId) + "/invite",
                    Json.MAPPER.createObjectNode().put("user_id", u.userId()).toString());
            hs.expect(200, u, "POST", V3 + "/rooms/" + enc(roomId) + "/join", "{}");
        }
        return new Room(roomId, alice, bob, carol);
    }

    static String send(TestUser sender, String roomId, ObjectNode content) {
        return hs.expect(200, sender, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/t"
                + TXN.incrementAndGet(), content.toString()).path("event_id").asText();
    }

    static ObjectNode text(String body) {
        return Json.MAPPER.createObjectNode().put("msgtype", "m.text").put("body", body);
    }

    static ObjectNode mention(TestUser who, String body) {
        ObjectNode content = text(body);
        content.putObject("m.mentions").putArray("user_ids").add(who.userId());
        return content;
    }

    private static JsonNode notifications(TestUser user, String query) {
        return hs.expect(200, user, "GET", V3 + "/notifications" + query, null);
    }

    /** The event ids of the user's message notifications (invites left out), newest first. */
    private static List<String> messageIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        for (JsonNode n : page.path("notifications")) {
            if (n.at("/event/type").asText().equals("m.room.message")) {
                ids.add(n.at("/event/event_id").asText());
            }
        }
        return ids;
    }

    private static JsonNode notificationOf(JsonNode page, String eventId) {
        for (JsonNode n : page.path("notifications")) {
            if (n.at("/event/event_id").asText().equals(eventId)) {
                return n;
            }
        }
        throw new AssertionError("no notification of " + eventId + " in " + page);
    }

    @Test
    void aMentionHighlightsAndAPlainMessageOnlyNotifies() {
        Room r = groupRoom();
        String plain = send(r.alice(), r.roomId(), text("lunch anyone?"));
        String mention = send(r.alice(), r.roomId(), mention(r.bob(), "bob, lunch?"));

        JsonNode page = notifications(r.bob(), "");
        assertEquals(List.of(mention, plain), messageIds(page), page::toString);
        JsonNode highlighted = notificationOf(page, mention);
        assertEquals(r.roomId(), highlighted.path("room_id").asText());
        assertFalse(highlighted.path("read").asBoolean(true));
        assertTrue(highlighted.path("ts").isIntegralNumber() && highlighted.path("ts").asLong() > 0, page::toString);
        assertTrue(highlighted.path("actions").toString().contains("\"notify\""), page::toString);
        assertTrue(highlighted.path("actions").toString().contains("{\"set_tweak\":\"highlight\"}"), page::toString);
        JsonNode event = highlighted.path("event");
        assertEquals("bob, lunch?", event.at("/content/body").asText());
        assertEquals(r.alice().userId(), event.path("sender").asText());
        assertFalse(event.has("room_id"), "the event comes without its room id: " + event);
        JsonNode notified = notificationOf(page, plain);
        assertEquals("[\"notify\"]", notified.path("actions").toString());

        assertEquals(List.of(), messageIds(notifications(r.alice(), "")), "nobody is notified of their own events");
        assertEquals(List.of(mention, plain), messageIds(notifications(r.carol(), "")),
                "a mention of bob notifies carol as any message does");
        assertFalse(notificationOf(notifications(r.carol(), ""), mention).path("actions").toString()
                .contains("highlight"));
    }

    @Test
    void onlyHighlightListsTheHighlightsAlone() {
        Room r = groupRoom();
        send(r.alice(), r.roomId(), text("first"));
        String mention = send(r.alice(), r.roomId(), mention(r.bob(), "bob!"));
        send(r.alice(), r.roomId(), text("last"));

        JsonNode page = notifications(r.bob(), "?only=highlight");
        assertEquals(1, page.path("notifications").size(), page::toString);
        assertEquals(mention, page.at("/notifications/0/event/event_id").asText());
    }

    @Test
    void pagesFollowNextTokenNewestFirst() {
        Room r = groupRoom();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.addFirst(send(r.alice(), r.roomId(), text("message " + i)));
        }
        List<String> seen = new ArrayList<>();
        JsonNode page = notifications(r.bob(), "?limit=2");
        assertEquals(2, page.path("notifications").size());
        int pages = 1;
        while (true) {
            seen.addAll(messageIds(page));
            if (!page.has("next_token")) {
                break;
            }
            assertTrue(page.path("next_token").isTextual(), page::toString);
            page = notifications(r.bob(), "?limit=2&from=" + enc(page.path("next_token").asText()));
            pages++;
        }
        assertEquals(sent, seen);
        assertEquals(3, pages, "four messages and the invite, two by two");
        assertEquals(0, notifications(r.bob(), "?limit=0").path("notifications").size());
    }

    @Test
    void aNotificationIsReadOnceTheReceiptReachesIt() {
        Room r = groupRoom();
        String first = send(r.alice(), r.roomId(), text("one"));
        String second = send(r.alice(), r.roomId(), text("two"));
        hs.expect(200, r.bob(), "POST", V3 + "/rooms/" + enc(r.roomId()) + "/receipt/m.read/" + enc(first), "{}");

        JsonNode page = notifications(r.bob(), "");
        assertTrue(notificationOf(page, first).path("read").asBoolean(false), page::toString);
        assertFalse(notificationOf(page, second).path("read").asBoolean(true), page::toString);

        hs.expect(200, r.carol(), "POST", V3 + "/rooms/" + enc(r.roomId()) + "/receipt/m.read.private/"
                + enc(second), "{}");
        JsonNode carols = notifications(r.carol(), "");
        assertTrue(notificationOf(carols, first).path("read").asBoolean(false), "a private receipt reads too");
        assertTrue(notificationOf(carols, second).path("read").asBoolean(false), carols::toString);
    }

    @Test
    void anIgnoredUserNotifiesNobody() {
        Room r = groupRoom();
        ObjectNode ignored = Json.MAPPER.createObjectNode();
        ignored.putObject("ignored_users").putObject(r.alice().userId());
        hs.expect(200, r.bob(), "PUT", V3 + "/user/" + enc(r.bob().userId()) + "/account_data/m.ignored_user_list",
                ignored.toString());
        send(r.alice(), r.roomId(), mention(r.bob(), "bob, are you there?"));
        String fromCarol = send(r.carol(), r.roomId(), text("hi all"));

        assertEquals(List.of(fromCarol), messageIds(notifications(r.bob(), "")));
        assertEquals(1, messageIds(notifications(r.carol(), "")).size(),
                "carol does not ignore alice (and is not notified of her own message)");
    }

    @Test
    void anInviteNotifiesTheInvitee() {
        long n = USERS.incrementAndGet();
        TestUser alice = hs.registerUser("inviter" + n);
        TestUser dave = hs.registerUser("invitee" + n);
        String roomId = hs.expect(200, alice, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        hs.expect(200, alice, "POST", V3 + "/rooms/" + enc(roomId) + "/invite",
                Json.MAPPER.createObjectNode().put("user_id", dave.userId()).toString());

        JsonNode page = notifications(dave, "");
        assertEquals(1, page.path("notifications").size(), page::toString);
        JsonNode invite = page.path("notifications").get(0);
        assertEquals("m.room.member", invite.at("/event/type").asText());
        assertEquals("invite", invite.at("/event/content/membership").asText());
        assertEquals(dave.userId(), invite.at("/event/state_key").asText());
    }

    @Test
    void notificationsLostToACrashAreRecordedAtTheNextStart() throws SQLException {
        Room r = groupRoom();
        String before = send(r.alice(), r.roomId(), text("before the crash"));
        assertEquals(List.of(before), messageIds(notifications(r.bob(), "")));
        // As if the server had died after the event's commit and before its push actions:
        long position;
        try (Connection c = hs.homeserver().database().dataSource().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT stream_ordering FROM events WHERE event_id = ?")) {
                ps.setString(1, before);
                var rs = ps.executeQuery();
                rs.next();
                position = rs.getLong(1);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM event_push_actions WHERE event_id = ?")) {
                ps.setString(1, before);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE event_push_actions_position SET processed_up_to = ?")) {
                ps.setLong(1, position - 1);
                ps.executeUpdate();
            }
        }
        hs.restart();
        String after = send(r.alice(), r.roomId(), text("after the restart"));
        assertEquals(List.of(after, before), messageIds(notifications(r.bob(), "")));
        assertEquals(List.of(after, before), messageIds(notifications(r.carol(), "")));
    }

    @Test
    void badParametersAreRefused() {
        TestUser u = hs.registerUser("params" + USERS.incrementAndGet());
        assertEquals("M_INVALID_PARAM", TestHomeserver.json(hs.authed(u.accessToken(), "GET",
                V3 + "/notifications?from=abc", null)).path("errcode").asText());
        assertEquals("M_INVALID_PARAM", TestHomeserver.json(hs.authed(u.accessToken(), "GET",
                V3 + "/notifications?limit=-1", null)).path("errcode").asText());
        assertEquals(401, hs.request("GET", V3 + "/notifications", null).statusCode());
        assertEquals(0, notifications(u, "").path("notifications").size());
        assertFalse(notifications(u, "").has("next_token"));
    }
}
