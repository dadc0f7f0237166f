package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.filter;
import static org.myelin.server.client.sync.SyncClient.joined;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.timeline;
import static org.myelin.server.client.sync.SyncClient.user;

/** {@code POST/GET /user/{userId}/filter} and filters applied by /sync, by id and inline. */
class FilterIT {

    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @Test
    void aFilterIsStoredAndReadBack() {
        String definition = "{\"room\": {\"timeline\": {\"limit\": 3, \"types\": [\"m.room.*\"]}}, "
                + "\"event_fields\": [\"type\", \"content.body\"]}";
        String id = client.ok(alice, "POST", user(alice) + "/filter", definition).path("filter_id").asText();
        assertFalse(id.isEmpty() || id.startsWith("{"));
        JsonNode stored = client.ok(alice, "GET", user(alice) + "/filter/" + id, null);
        assertEquals(SyncClient.obj(definition), stored);
        assertEquals(id, client.ok(alice, "POST", user(alice) + "/filter", definition).path("filter_id").asText(),
                "the same filter keeps its id");
        assertNotEquals(id, client.ok(alice, "POST", user(alice) + "/filter", "{}").path("filter_id").asText());

        client.fails(404, "M_NOT_FOUND", alice, "GET", user(alice) + "/filter/999999", null);
        client.fails(404, "M_NOT_FOUND", alice, "GET", user(alice) + "/filter/not-a-number", null);
        client.fails(403, "M_FORBIDDEN", bob, "GET", user(alice) + "/filter/" + id, null);
        client.fails(404, "M_NOT_FOUND", bob, "GET", user(bob) + "/filter/" + id, null);
        client.fails(403, "M_FORBIDDEN", bob, "POST", user(alice) + "/filter", "{}");
    }

    @Test
    void invalidFiltersAreRefused() {
        client.fails(400, "M_BAD_JSON", alice, "POST", user(alice) + "/filter", "{\"room\": {\"timeline\": {\"limit\": \"ten\"}}}");
        client.fails(400, "M_BAD_JSON", alice, "POST", user(alice) + "/filter", "{\"event_format\": \"xml\"}");
        client.fails(400, "M_BAD_JSON", alice, "POST", user(alice) + "/filter", "{\"room\": {\"rooms\": \"!a:b\"}}");
        client.fails(400, "M_BAD_JSON", alice, "POST", user(alice) + "/filter", "[]");
        client.fails(400, "M_NOT_JSON", alice, "POST", user(alice) + "/filter", "{");
        client.fails(400, "M_INVALID_PARAM", alice, "GET", SyncClient.V3 + "/sync?filter=424242", null);
        client.fails(400, "M_NOT_JSON", alice, "GET", SyncClient.V3 + "/sync" + filter("{oops").replace('&', '?'), null);
        client.fails(400, "M_BAD_JSON", alice, "GET", SyncClient.V3 + "/sync"
                + filter("{\"room\": {\"timeline\": {\"limit\": -1}}}").replace('&', '?'), null);
    }

    /** As Synapse's filter schema: each value of the type the spec gives, no coercion, ids that are ids. */
    @Test
    void valuesOfTheWrongTypeAreRefusedNotCoerced() {
        for (String wrong : List.of(
                "{\"room\": {\"timeline\": {\"limit\": \"10\"}}}",
                "{\"room\": {\"timeline\": {\"limit\": 2.5}}}",
                "{\"room\": {\"timeline\": {\"types\": [1]}}}",
                "{\"room\": {\"timeline\": {\"not_types\": [null]}}}",
                "{\"room\": {\"timeline\": {\"contains_url\": \"true\"}}}",
                "{\"room\": {\"state\": {\"lazy_load_members\": 1}}}",
                "{\"room\": {\"include_leave\": \"true\"}}",
                "{\"room\": {\"rooms\": [\"not-a-room\"]}}",
                "{\"room\": {\"ephemeral\": {\"not_senders\": [\"not-a-user\"]}}}",
                "{\"room\": {\"timeline\": []}}",
                "{\"presence\": {\"senders\": [\"@ok:example.org\", 7]}}",
                "{\"account_data\": {\"limit\": true}}",
                "{\"event_fields\": [true]}",
                "{\"event_format\": 1}",
                "{\"event_format\": \"Client\"}")) {
            client.fails(400, "M_BAD_JSON", alice, "POST", user(alice) + "/filter", wrong);
            client.fails(400, "M_BAD_JSON", alice, "GET", SyncClient.V3 + "/sync" + filter(wrong).replace('&', '?'), null);
        }
        client.ok(alice, "POST", user(alice) + "/filter", "{\"room\": {\"rooms\": [\"!abc:example.org\"], "
                + "\"timeline\": {\"limit\": 10, \"senders\": [\"@Old_Style:example.org\"], \"org.example\": 1}}, "
                + "\"event_format\": \"federation\", \"org.example.extension\": {}}");
    }

    @Test
    void aStoredFilterShapesTheSync() {
        String roomId = client.createRoom(alice, "{}");
        client.send(alice, roomId, "a message");
        client.state(alice, roomId, "m.room.topic", "", obj().put("topic", "a topic"));
        String id = client.ok(alice, "POST", user(alice) + "/filter",
                "{\"room\": {\"timeline\": {\"types\": [\"m.room.mess*\"]}}, \"event_fields\": [\"type\", \"content.body\"]}")
                .path("filter_id").asText();
        JsonNode sync = client.sync(alice, null, "&filter=" + id);
        List<JsonNode> events = timeline(sync, roomId);
        assertEquals(1, events.size(), sync::toString);
        JsonNode only = events.getFirst();
        assertEquals("m.room.message", only.path("type").asText());
        assertEquals("a message", only.path("content").path("body").asText());
        assertFalse(only.has("event_id"), "event_fields keeps only the listed fields");
        assertFalse(only.path("content").has("msgtype"));
    }

    @Test
    void anInlineFilterSelectsRoomsAndTypes() {
        String wanted = client.createRoom(alice, "{}");
        String other = client.createRoom(alice, "{}");
        String inline = "{\"room\": {\"rooms\": [\"" + wanted + "\"], \"timeline\": {\"not_types\": [\"m.room.member\"],"
                + " \"limit\": 50}}, \"account_data\": {\"types\": []}}";
        client.ok(alice, "PUT", user(alice) + "/account_data/org.example.hidden", obj());
        JsonNode sync = client.sync(alice, null, filter(inline));
        assertTrue(joined(sync, wanted).isObject());
        assertTrue(joined(sync, other).isMissingNode(), "not in the filter's rooms");
        assertTrue(timeline(sync, wanted).stream().noneMatch(e -> e.path("type").asText().equals("m.room.member")));
        assertEquals(0, sync.path("account_data").path("events").size(), "types: [] lets nothing through");
    }

    @Test
    void federationFormatGivesTheRawEvents() {
        String roomId = client.createRoom(alice, "{}");
        client.send(alice, roomId, "raw");
        JsonNode sync = client.sync(alice, null, filter("{\"event_format\": \"federation\"}"));
        JsonNode last = timeline(sync, roomId).getLast();
        assertTrue(last.has("signatures") && last.has("hashes") && last.has("room_id"), last::toString);
    }

    @Test
    void lazyLoadingSendsOnlyTheMembersTheTimelineNeeds() {
        TestUser carol = hs.registerUser("carol-" + System.nanoTime());
        String roomId = client.createRoom(alice, "{\"name\": \"Lazy\"}");
        for (TestUser u : List.of(bob, carol)) {
            client.invite(alice, roomId, u);
            client.join(u, roomId);
        }
        client.send(bob, roomId, "bob speaks");
        String lazy = filter("{\"room\": {\"timeline\": {\"limit\": 1}, \"state\": {\"lazy_load_members\": true}}}");

        JsonNode initial = client.sync(carol, null, lazy);
        List<String> members = SyncClient.stateKeys(joined(initial, roomId)).stream()
                .filter(k -> k.startsWith("m.room.member|")).toList();
        assertEquals(List.of("m.room.member|" + bob.userId(), "m.room.member|" + carol.userId()),
                members.stream().sorted().toList(), "the sender and the user, not alice");
        assertTrue(SyncClient.stateKeys(joined(initial, roomId)).contains("m.room.name|"), "other state in full");
        JsonNode everyone = client.sync(carol, null, filter("{\"room\": {\"timeline\": {\"limit\": 1}}}"));
        assertTrue(SyncClient.stateKeys(joined(everyone, roomId)).contains("m.room.member|" + alice.userId()),
                "without lazy loading, all members");

        client.send(bob, roomId, "bob again");
        JsonNode redundantLeftOut = client.sync(carol, initial.path("next_batch").asText(), lazy);
        assertEquals(0, joined(redundantLeftOut, roomId).path("state").path("events").size(),
                "bob's membership was sent already");

        client.send(bob, roomId, "and again");
        String redundant = filter("{\"room\": {\"timeline\": {\"limit\": 1}, \"state\": {\"lazy_load_members\": true,"
                + " \"include_redundant_members\": true}}}");
        JsonNode withRedundant = client.sync(carol, redundantLeftOut.path("next_batch").asText(), redundant);
        assertEquals(List.of("m.room.member|" + bob.userId()), SyncClient.stateKeys(joined(withRedundant, roomId)));

        client.send(alice, roomId, "alice finally");
        JsonNode aliceSpeaks = client.sync(carol, withRedundant.path("next_batch").asText(), lazy);
        assertEquals(List.of("m.room.member|" + alice.userId()), SyncClient.stateKeys(joined(aliceSpeaks, roomId)),
                "a new sender's membership arrives with their first event");
    }
}
