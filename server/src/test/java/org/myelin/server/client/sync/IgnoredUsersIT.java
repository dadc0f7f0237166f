package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.V3;
import static org.myelin.server.client.sync.SyncClient.bodies;
import static org.myelin.server.client.sync.SyncClient.enc;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.room;
import static org.myelin.server.client.sync.SyncClient.timeline;
import static org.myelin.server.client.sync.SyncClient.user;

/**
 * Ignoring users (client-server API, "Ignoring Users"): once a user is in the
 * {@code m.ignored_user_list} account data, their events leave /sync, /messages, /context,
 * /event and search for the ignorer, their state events excepted, and their invites are not sent;
 * the list takes effect at once, both ways, and clients hear of it as account data.
 */
class IgnoredUsersIT {

    static TestHomeserver hs;
    static SyncClient client;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SyncClient(hs);
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static void ignore(TestUser user, TestUser... ignored) {
        ObjectNode list = obj();
        ObjectNode users = list.putObject("ignored_users");
        for (TestUser u : ignored) {
            users.putObject(u.userId());
        }
        client.ok(user, "PUT", user(user) + "/account_data/m.ignored_user_list", list);
    }

    private static List<String> senders(List<JsonNode> events, String type) {
        List<String> found = new ArrayList<>();
        events.stream().filter(e -> e.path("type").asText().equals(type)).forEach(e -> found.add(e.path("sender").asText()));
        return found;
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> events = new ArrayList<>();
        array.forEach(events::add);
        return events;
    }

    private static List<String> messageBodies(JsonNode chunk) {
        return list(chunk).stream().filter(e -> e.path("type").asText().equals("m.room.message"))
                .map(e -> e.path("content").path("body").asText()).toList();
    }

    @Test
    void anIgnoredUsersMessagesDisappearButTheirStateStays() {
        TestUser alice = hs.registerUser("alice");
        TestUser bob = hs.registerUser("bob");
        TestUser eve = hs.registerUser("eve");
        String roomId = client.createRoom(alice, "{\"preset\":\"public_chat\"}");
        client.join(bob, roomId);
        client.join(eve, roomId);
        ignore(bob, eve);
        String since = client.sync(bob).path("next_batch").asText();

        client.send(alice, roomId, "from alice 1");
        String eveMessage = client.send(eve, roomId, "from eve");
        client.state(eve, roomId, "m.room.member", eve.userId(),
                obj().put("membership", "join").put("displayname", "Eve renamed"));
        String aliceMessage = client.send(alice, roomId, "from alice 2");

        JsonNode incremental = client.sync(bob, since, "");
        assertEquals(List.of("from alice 1", "from alice 2"), bodies(incremental, roomId));
        assertEquals(List.of(eve.userId()), senders(timeline(incremental, roomId), "m.room.member"),
                "eve's state event is still sent");
        JsonNode initial = client.sync(bob);
        assertEquals(List.of("from alice 1", "from alice 2"), bodies(initial, roomId));
        assertEquals(List.of("from alice 1", "from eve", "from alice 2"), bodies(client.sync(alice), roomId),
                "only bob ignores eve");

        JsonNode messages = client.ok(bob, "GET", room(roomId) + "/messages?dir=b&limit=50", null);
        assertEquals(List.of("from alice 2", "from alice 1"), messageBodies(messages.path("chunk")));
        List<JsonNode> chunk = list(messages.path("chunk"));
        assertEquals(2, senders(chunk, "m.room.member").stream().filter(eve.userId()::equals).count(),
                "eve's join and rename are state: kept");

        JsonNode context = client.ok(bob, "GET", room(roomId) + "/context/" + enc(aliceMessage) + "?limit=10", null);
        assertEquals(List.of("from alice 1"), messageBodies(context.path("events_before")));
        client.fails(403, "M_FORBIDDEN", bob, "GET", room(roomId) + "/context/" + enc(eveMessage), null);
        client.fails(404, "M_NOT_FOUND", bob, "GET", room(roomId) + "/event/" + enc(eveMessage), null);
        assertEquals("from eve", client.ok(alice, "GET", room(roomId) + "/event/" + enc(eveMessage), null)
                .path("content").path("body").asText());

        JsonNode search = client.ok(bob, "POST", V3 + "/search", SyncClient.obj(
                "{\"search_categories\":{\"room_events\":{\"search_term\":\"eve or alice\"}}}"));
        List<String> found = new ArrayList<>();
        search.path("search_categories").path("room_events").path("results")
                .forEach(r -> found.add(r.path("result").path("sender").asText()));
        assertFalse(found.isEmpty(), search::toString);
        assertFalse(found.contains(eve.userId()), "search finds nothing of eve's: " + found);
    }

    @Test
    void theListTakesEffectAtOnceBothWaysAndIsSyncedAsAccountData() {
        TestUser alice = hs.registerUser("alice2");
        TestUser bob = hs.registerUser("bob2");
        TestUser eve = hs.registerUser("eve2");
        String roomId = client.createRoom(alice, "{\"preset\":\"public_chat\"}");
        client.join(bob, roomId);
        client.join(eve, roomId);
        client.send(eve, roomId, "before");
        String since = client.sync(bob).path("next_batch").asText();

        ignore(bob, eve);
        JsonNode changed = client.sync(bob, since, "");
        JsonNode listed = null;
        for (JsonNode e : changed.path("account_data").path("events")) {
            if (e.path("type").asText().equals("m.ignored_user_list")) {
                listed = e;
            }
        }
        assertTrue(listed != null && listed.path("content").path("ignored_users").has(eve.userId()),
                "the new list comes as account data: " + changed);
        client.send(eve, roomId, "while ignored");
        client.send(alice, roomId, "alice");
        String afterIgnoring = changed.path("next_batch").asText();
        JsonNode quiet = client.sync(bob, afterIgnoring, "");
        assertEquals(List.of("alice"), bodies(quiet, roomId));
        assertEquals(List.of("alice"), messageBodies(client.ok(bob, "GET", room(roomId) + "/messages?dir=b&limit=50",
                null).path("chunk")), "history too, immediately");

        ignore(bob);
        String afterUnignoring = client.sync(bob, quiet.path("next_batch").asText(), "").path("next_batch").asText();
        client.send(eve, roomId, "heard again");
        assertEquals(List.of("heard again"), bodies(client.sync(bob, afterUnignoring, ""), roomId),
                "new events only: what was missed is not sent again");
        assertEquals(List.of("heard again", "alice", "while ignored", "before"), messageBodies(client.ok(bob, "GET",
                room(roomId) + "/messages?dir=b&limit=50", null).path("chunk")));
    }

    @Test
    void nobodyIgnoresThemselves() {
        TestUser bob = hs.registerUser("bob4");
        client.fails(400, "M_INVALID_PARAM", bob, "PUT", user(bob) + "/account_data/m.ignored_user_list",
                obj("{\"ignored_users\":{\"" + bob.userId() + "\":{}}}"));
        client.fails(404, "M_NOT_FOUND", bob, "GET", user(bob) + "/account_data/m.ignored_user_list", null);
    }

    @Test
    void invitesFromIgnoredUsersAreNotSent() {
        TestUser alice = hs.registerUser("alice3");
        TestUser bob = hs.registerUser("bob3");
        TestUser eve = hs.registerUser("eve3");
        ignore(bob, eve);
        String since = client.sync(bob).path("next_batch").asText();
        String fromEve = client.createRoom(eve, "{\"preset\":\"private_chat\"}");
        client.invite(eve, fromEve, bob);
        String fromAlice = client.createRoom(alice, "{\"preset\":\"private_chat\"}");
        client.invite(alice, fromAlice, bob);

        JsonNode incremental = client.sync(bob, since, "");
        assertTrue(incremental.path("rooms").path("invite").has(fromAlice), incremental::toString);
        assertFalse(incremental.path("rooms").path("invite").has(fromEve), "eve's invite: " + incremental);
        JsonNode initial = client.sync(bob);
        assertTrue(initial.path("rooms").path("invite").has(fromAlice), initial::toString);
        assertFalse(initial.path("rooms").path("invite").has(fromEve), "eve's invite: " + initial);

        ignore(bob);
        assertTrue(client.sync(bob).path("rooms").path("invite").has(fromEve),
                "a fresh sync after un-ignoring shows the invite still open");
    }
}
