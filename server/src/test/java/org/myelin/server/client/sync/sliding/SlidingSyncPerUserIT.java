package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.sliding.SlidingClient.V3;
import static org.myelin.server.client.sync.sliding.SlidingClient.bodies;
import static org.myelin.server.client.sync.sliding.SlidingClient.enc;
import static org.myelin.server.client.sync.sliding.SlidingClient.listBody;
import static org.myelin.server.client.sync.sliding.SlidingClient.listRooms;
import static org.myelin.server.client.sync.sliding.SlidingClient.obj;
import static org.myelin.server.client.sync.sliding.SlidingClient.roomOf;

/**
 * Sliding sync rooms as the user's own settings shape them, as /sync's do: the users they ignore
 * (client-server API, "Ignoring Users": their events leave the timelines, their state stays, their
 * invites are not listed) and their push rules (the unread counts are what the rules notify and
 * highlight).
 */
class SlidingSyncPerUserIT {

    static TestHomeserver hs;
    static SlidingClient client;
    static final AtomicInteger USERS = new AtomicInteger();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SlidingClient(hs);
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static TestUser user(String name) {
        return hs.registerUser(name + "-" + USERS.incrementAndGet());
    }

    private static void ignore(TestUser user, TestUser ignored) {
        ObjectNode list = obj();
        list.putObject("ignored_users").putObject(ignored.userId());
        client.ok(user, "PUT", V3 + "/user/" + enc(user.userId()) + "/account_data/m.ignored_user_list", list);
    }

    private static List<String> senders(JsonNode response, String roomId, String type) {
        List<String> senders = new ArrayList<>();
        for (JsonNode e : roomOf(response, roomId).path("timeline")) {
            if (e.path("type").asText().equals(type)) {
                senders.add(e.path("sender").asText());
            }
        }
        return senders;
    }

    @Test
    void anIgnoredUsersMessagesLeaveTheTimelineButTheirStateStays() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        TestUser eve = user("eve");
        String roomId = client.sharedRoom(alice, bob, eve);
        ignore(bob, eve);
        ObjectNode body = listBody("all", 9, 20, "[]");
        JsonNode first = client.sync(bob, null, body);

        client.send(alice, roomId, "from alice 1");
        client.send(eve, roomId, "from eve");
        client.state(eve, roomId, "m.room.member", eve.userId(),
                obj().put("membership", "join").put("displayname", "Eve renamed"));
        client.send(alice, roomId, "from alice 2");

        JsonNode next = client.sync(bob, first.path("pos").asText(), body);
        assertEquals(List.of("from alice 1", "from alice 2"), bodies(next, roomId), next::toString);
        assertEquals(List.of(eve.userId()), senders(next, roomId, "m.room.member"), "eve's state event is still sent");
        JsonNode fresh = client.sync(bob, null, body);
        assertFalse(bodies(fresh, roomId).contains("from eve"), fresh::toString);
        assertTrue(bodies(client.sync(alice, null, body), roomId).contains("from eve"), "only bob ignores eve");
    }

    @Test
    void invitesFromIgnoredUsersAreNotListed() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        TestUser eve = user("eve");
        ignore(bob, eve);
        ObjectNode body = listBody("all", 9, 1, "[]");
        body.putObject("room_subscriptions");
        JsonNode first = client.sync(bob, null, body);

        String fromEve = client.createRoom(eve, "{}");
        client.invite(eve, fromEve, bob);
        String fromAlice = client.createRoom(alice, "{}");
        client.invite(alice, fromAlice, bob);

        JsonNode next = client.sync(bob, first.path("pos").asText(), body);
        assertEquals(List.of(fromAlice), listRooms(next, "all"), next::toString);
        assertEquals(1, next.path("lists").path("all").path("count").asInt(), next::toString);
        assertFalse(next.path("rooms").has(fromEve), "eve's invite: " + next);
        JsonNode fresh = client.sync(bob, null, body);
        assertEquals(List.of(fromAlice), listRooms(fresh, "all"), fresh::toString);

        ((ObjectNode) body.get("room_subscriptions")).putObject(fromEve).put("timeline_limit", 1)
                .putArray("required_state");
        JsonNode subscribed = client.sync(bob, null, body);
        assertFalse(subscribed.path("rooms").has(fromEve), "nor sent to a subscription: " + subscribed);

        client.ok(bob, "PUT", V3 + "/user/" + enc(bob.userId()) + "/account_data/m.ignored_user_list",
                obj("{\"ignored_users\":{}}"));
        JsonNode unignored = client.sync(bob, null, listBody("all", 9, 1, "[]"));
        assertTrue(listRooms(unignored, "all").contains(fromEve), "the invite is still open: " + unignored);
    }

    @Test
    void unreadCountsAreWhatThePushRulesNotifyAndHighlight() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String roomId = client.sharedRoom(alice, bob);
        ObjectNode body = listBody("all", 9, 5, "[]");
        JsonNode first = client.sync(bob, null, body);

        client.send(alice, roomId, "one");
        ObjectNode mention = obj().put("msgtype", "m.text").put("body", "hello " + bob.userId());
        mention.putObject("m.mentions").putArray("user_ids").add(bob.userId());
        client.ok(alice, "PUT", SlidingClient.room(roomId) + "/send/m.room.message/mention-" + USERS.get(), mention);
        JsonNode next = client.sync(bob, first.path("pos").asText(), body);
        JsonNode room = roomOf(next, roomId);
        assertEquals(2, room.path("notification_count").asInt(), next::toString);
        assertEquals(1, room.path("highlight_count").asInt(), "the mention highlights: " + next);

        client.ok(bob, "PUT", V3 + "/pushrules/global/room/" + enc(roomId), obj("{\"actions\": [\"dont_notify\"]}"));
        client.send(alice, roomId, "three");
        JsonNode silenced = client.sync(bob, next.path("pos").asText(), body);
        room = roomOf(silenced, roomId);
        assertEquals(List.of("three"), bodies(silenced, roomId), silenced::toString);
        assertEquals(2, room.path("notification_count").asInt(), "the room's rule silences what comes after it"
                + " (three); what came before notified when it arrived, as Synapse counts: " + silenced);
        assertEquals(1, room.path("highlight_count").asInt(), silenced::toString);
    }
}
