package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.V3;
import static org.myelin.server.client.sync.SyncClient.enc;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.room;

/**
 * The deprecated snapshots {@code GET /initialSync} and {@code GET /rooms/{roomId}/initialSync}
 * (client-server API, "Syncing", "Room Previews"), with Synapse's field names: rooms with the
 * user's membership, latest events and tokens that {@code /messages} and {@code /events} take,
 * state, account data, presence and receipts; peeking into a world-readable room.
 */
class InitialSyncIT {

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

    private static JsonNode roomOf(JsonNode snapshot, String roomId) {
        for (JsonNode room : snapshot.path("rooms")) {
            if (room.path("room_id").asText().equals(roomId)) {
                return room;
            }
        }
        return null;
    }

    private static List<String> bodies(JsonNode messages) {
        List<String> bodies = new ArrayList<>();
        messages.path("chunk").forEach(e -> {
            if (e.path("type").asText().equals("m.room.message")) {
                bodies.add(e.path("content").path("body").asText());
            }
        });
        return bodies;
    }

    private static JsonNode stateEvent(JsonNode state, String type, String stateKey) {
        for (JsonNode e : state) {
            if (e.path("type").asText().equals(type) && e.path("state_key").asText().equals(stateKey)) {
                return e;
            }
        }
        return null;
    }

    private static JsonNode ofType(JsonNode events, String type) {
        for (JsonNode e : events) {
            if (e.path("type").asText().equals(type)) {
                return e;
            }
        }
        return null;
    }

    @Test
    void theSnapshotHasJoinedAndInvitedRoomsAndLeftOnesWhenArchived() {
        TestUser alice = hs.registerUser("alice-all");
        TestUser bob = hs.registerUser("bob-all");
        String joined = client.createRoom(alice, "{\"name\":\"Joined\"}");
        client.invite(alice, joined, bob);
        client.join(bob, joined);
        for (int i = 1; i <= 3; i++) {
            client.send(alice, joined, "m" + i);
        }
        String last = client.send(bob, joined, "m4");
        client.ok(bob, "POST", room(joined) + "/receipt/m.read/" + enc(last), obj());
        client.ok(alice, "PUT", V3 + "/user/" + enc(alice.userId()) + "/rooms/" + enc(joined) + "/tags/work",
                obj().put("order", 0.5));
        client.ok(alice, "PUT", V3 + "/user/" + enc(alice.userId()) + "/account_data/org.example.config",
                obj().put("colour", "blue"));
        String invitedTo = client.createRoom(bob, "{}");
        client.invite(bob, invitedTo, alice);
        String left = client.createRoom(bob, "{}");
        client.invite(bob, left, alice);
        client.join(alice, left);
        client.send(bob, left, "before alice left");
        client.leave(alice, left);
        client.send(bob, left, "after alice left");
        String published = client.createRoom(alice, "{\"preset\":\"public_chat\",\"visibility\":\"public\"}");

        JsonNode snapshot = client.ok(alice, "GET", V3 + "/initialSync?limit=2", null);
        JsonNode room = roomOf(snapshot, joined);
        assertNotNull(room, snapshot::toString);
        assertEquals("join", room.path("membership").asText());
        assertEquals("private", room.path("visibility").asText());
        assertEquals(List.of("m3", "m4"), bodies(room.path("messages")), room::toString);
        assertEquals(joined, room.path("messages").path("chunk").path(0).path("room_id").asText());
        assertEquals("Joined", stateEvent(room.path("state"), "m.room.name", "").path("content").path("name").asText());
        assertEquals("join", stateEvent(room.path("state"), "m.room.member", bob.userId())
                .path("content").path("membership").asText());
        assertEquals(0.5, ofType(room.path("account_data"), "m.tag").path("content").path("tags").path("work")
                .path("order").asDouble());
        assertEquals("public", roomOf(snapshot, published).path("visibility").asText());

        JsonNode invite = roomOf(snapshot, invitedTo);
        assertEquals("invite", invite.path("membership").asText(), snapshot::toString);
        assertEquals(bob.userId(), invite.path("inviter").asText());
        assertEquals("invite", invite.path("invite").path("content").path("membership").asText());
        assertEquals(alice.userId(), invite.path("invite").path("state_key").asText());
        assertFalse(invite.has("messages"));
        assertNull(roomOf(snapshot, left), "left rooms only when archived");

        assertEquals("blue", ofType(snapshot.path("account_data"), "org.example.config").path("content")
                .path("colour").asText(), snapshot::toString);
        assertTrue(snapshot.path("presence").isArray());
        JsonNode receipt = ofType(snapshot.path("receipts"), "m.receipt");
        assertEquals(joined, receipt.path("room_id").asText(), snapshot::toString);
        assertTrue(receipt.path("content").path(last).path("m.read").has(bob.userId()));

        // messages.start pages back with /messages; end goes on with /events.
        JsonNode earlier = client.ok(alice, "GET", room(joined) + "/messages?dir=b&limit=1&from="
                + enc(room.path("messages").path("start").asText()), null);
        assertEquals(List.of("m2"), bodies(earlier), earlier::toString);
        String next = client.send(bob, joined, "m5");
        JsonNode stream = client.ok(alice, "GET", V3 + "/events?timeout=0&from="
                + enc(snapshot.path("end").asText()), null);
        assertTrue(stream.path("chunk").findValuesAsText("event_id").contains(next), stream::toString);

        JsonNode archived = client.ok(alice, "GET", V3 + "/initialSync?archived=true", null);
        JsonNode leave = roomOf(archived, left);
        assertEquals("leave", leave.path("membership").asText(), archived::toString);
        assertEquals(List.of("before alice left"), bodies(leave.path("messages")), leave::toString);
        JsonNode lastOfLeft = leave.path("messages").path("chunk").path(leave.path("messages").path("chunk").size() - 1);
        assertEquals("leave", lastOfLeft.path("content").path("membership").asText(), leave::toString);
        assertEquals("leave", stateEvent(leave.path("state"), "m.room.member", alice.userId())
                .path("content").path("membership").asText());
    }

    @Test
    void aMemberSnapshotsOneRoom() {
        TestUser alice = hs.registerUser("alice-one");
        TestUser bob = hs.registerUser("bob-one");
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        String message = client.send(alice, roomId, "hello");
        client.ok(alice, "POST", room(roomId) + "/receipt/m.read/" + enc(message), obj());

        JsonNode info = client.ok(bob, "GET", room(roomId) + "/initialSync", null);
        assertEquals(roomId, info.path("room_id").asText());
        assertEquals("join", info.path("membership").asText());
        assertEquals(List.of("hello"), bodies(info.path("messages")));
        assertNotNull(info.path("messages").path("start").textValue());
        assertNotNull(info.path("messages").path("end").textValue());
        assertNotNull(stateEvent(info.path("state"), "m.room.create", ""));
        assertTrue(info.path("presence").isArray());
        assertTrue(info.path("account_data").isArray());
        assertTrue(ofType(info.path("receipts"), "m.receipt").path("content").path(message).path("m.read")
                .has(alice.userId()), info::toString);

        // A departed member sees the room as they left it.
        client.leave(bob, roomId);
        client.send(alice, roomId, "after bob left");
        JsonNode parted = client.ok(bob, "GET", room(roomId) + "/initialSync", null);
        assertEquals("leave", parted.path("membership").asText());
        assertEquals(List.of("hello"), bodies(parted.path("messages")), parted::toString);
        assertEquals("leave", stateEvent(parted.path("state"), "m.room.member", bob.userId())
                .path("content").path("membership").asText());
        assertEquals(0, parted.path("receipts").size());
    }

    @Test
    void anOutsiderPeeksIntoAWorldReadableRoomOnly() {
        TestUser alice = hs.registerUser("alice-peek");
        TestUser eve = hs.registerUser("eve-peek");
        String open = client.createRoom(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.history_visibility\",\"state_key\":\"\",\"content\":{\"history_visibility\":"
                + "\"world_readable\"}}]}");
        client.send(alice, open, "for everyone");
        JsonNode peek = client.ok(eve, "GET", room(open) + "/initialSync?limit=5", null);
        assertFalse(peek.has("membership"), peek::toString);
        assertEquals(List.of("for everyone"), bodies(peek.path("messages")));
        assertEquals("world_readable", stateEvent(peek.path("state"), "m.room.history_visibility", "")
                .path("content").path("history_visibility").asText());

        String closed = client.createRoom(alice, "{\"preset\":\"public_chat\"}");
        client.fails(403, "M_FORBIDDEN", eve, "GET", room(closed) + "/initialSync", null);
        client.fails(404, "M_NOT_FOUND", eve, "GET", room("!unknown:" + hs.serverName()) + "/initialSync", null);
        client.fails(400, "M_INVALID_PARAM", eve, "GET", room(open) + "/initialSync?limit=-1", null);
    }
}
