package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.rooms.Related.relatesTo;
import static org.myelin.server.client.rooms.Rooms.enc;
import static org.myelin.server.client.rooms.Rooms.obj;
import static org.myelin.server.client.rooms.Rooms.room;

/**
 * Which edit ({@code m.replace}) is bundled with an event (client-server API, "Event replacements":
 * validity, server-side aggregation, redactions of edited events): only the original's sender's, of
 * the original's type, none of a redacted original, never a redacted edit, and the latest by
 * {@code origin_server_ts} then event id rather than by arrival.
 */
class BundledEditsIT {

    private static final AtomicLong TXN = new AtomicLong();

    static TestHomeserver hs;
    static FakeRemoteServer fake;
    static Rooms rooms;
    static Related related;
    static TestUser alice;
    static TestUser bob;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        fake = FakeRemoteServer.start();
        rooms = new Rooms(hs);
        related = new Related(rooms);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        fake.close();
        hs.close();
    }

    private String sharedRoom() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        return roomId;
    }

    /** The edit bundled with {@code eventId} as bob gets it from {@code /event}, or a missing node. */
    private static JsonNode bundledEdit(String roomId, String eventId) {
        return rooms.event(bob, roomId, eventId).path("unsigned").path("m.relations").path("m.replace");
    }

    private static void redact(TestUser user, String roomId, String eventId) {
        rooms.ok(user, "PUT", room(roomId) + "/redact/" + enc(eventId) + "/r" + TXN.incrementAndGet(), obj());
    }

    @Test
    void anEditByAnotherSenderIsNotBundled() {
        String roomId = sharedRoom();
        String original = rooms.send(alice, roomId, "alice's words");
        related.edit(bob, roomId, original, "bob's words");
        assertTrue(bundledEdit(roomId, original).isMissingNode(), "bob cannot edit alice's message");

        String own = related.edit(alice, roomId, original, "alice's second thoughts");
        related.edit(bob, roomId, original, "bob again");
        assertEquals(own, bundledEdit(roomId, original).path("event_id").asText(),
                "a later edit by someone else does not hide the sender's own");
    }

    @Test
    void anEditOfAnotherTypeIsNotBundled() {
        String roomId = sharedRoom();
        String original = rooms.send(alice, roomId, "a message");
        ObjectNode sticker = relatesTo("m.replace", original).put("body", "* a sticker");
        sticker.putObject("m.new_content").put("body", "a sticker");
        rooms.sendEvent(alice, roomId, "m.sticker", sticker);
        assertTrue(bundledEdit(roomId, original).isMissingNode(), "an edit cannot change the event's type");
    }

    @Test
    void aRedactedOriginalHasNoEditBundled() {
        String roomId = sharedRoom();
        String original = rooms.send(alice, roomId, "regretted");
        String edit = related.edit(alice, roomId, original, "still regretted");
        assertEquals(edit, bundledEdit(roomId, original).path("event_id").asText());

        redact(alice, roomId, original);
        JsonNode event = rooms.event(bob, roomId, original);
        assertTrue(event.path("unsigned").path("m.relations").path("m.replace").isMissingNode(), event::toString);
        assertTrue(event.path("content").isEmpty(), "the original's content is gone: " + event);
        assertFalse(related.relations(bob, roomId, original, "/m.replace").path("chunk").toString().contains(edit),
                "nor is the edit listed under it");
    }

    @Test
    void aRedactedEditIsNotTheLatest() {
        String roomId = sharedRoom();
        String original = rooms.send(alice, roomId, "first");
        String earlier = related.edit(alice, roomId, original, "second");
        String latest = related.edit(alice, roomId, original, "third");
        assertEquals(latest, bundledEdit(roomId, original).path("event_id").asText());

        redact(alice, roomId, latest);
        JsonNode bundled = bundledEdit(roomId, original);
        assertEquals(earlier, bundled.path("event_id").asText(), "the edit before the redacted one is the latest");
        assertEquals("second", bundled.path("content").path("m.new_content").path("body").asText(), bundled::toString);

        redact(alice, roomId, earlier);
        assertTrue(bundledEdit(roomId, original).isMissingNode(), "with every edit redacted, none is bundled");
    }

    @Test
    void theLatestEditIsByOriginServerTsThenEventIdNotByArrival() {
        String roomId = sharedRoom();
        String fred = fake.user("fred");
        remote(roomId, fred, "m.room.member", fred, obj().put("membership", "join"), System.currentTimeMillis());
        long t = System.currentTimeMillis();
        Pdu original = remote(roomId, fred, "m.room.message", null, obj().put("msgtype", "m.text").put("body", "v0"), t);
        Pdu newer = remote(roomId, fred, "m.room.message", null, editOf(original, "v2"), t + 2_000);
        remote(roomId, fred, "m.room.message", null, editOf(original, "v1, late"), t + 1_000);
        assertEquals(newer.eventId(), bundledEdit(roomId, original.eventId()).path("event_id").asText(),
                "an edit that arrived last but was sent earlier is not the latest");

        Pdu tieA = remote(roomId, fred, "m.room.message", null, editOf(original, "tie a"), t + 5_000);
        Pdu tieB = remote(roomId, fred, "m.room.message", null, editOf(original, "tie b"), t + 5_000);
        String largest = tieA.eventId().compareTo(tieB.eventId()) > 0 ? tieA.eventId() : tieB.eventId();
        assertEquals(largest, bundledEdit(roomId, original.eventId()).path("event_id").asText(),
                "of edits sent at the same time, the lexicographically largest event id is the latest");
    }

    private static ObjectNode editOf(Pdu original, String body) {
        ObjectNode content = relatesTo("m.replace", original.eventId()).put("msgtype", "m.text").put("body", "* " + body);
        content.putObject("m.new_content").put("msgtype", "m.text").put("body", body);
        return content;
    }

    /** An event of the fake server's {@code sender} sent at {@code ts}, built on the room's head and accepted. */
    private static Pdu remote(String roomId, String sender, String type, String stateKey, ObjectNode content, long ts) {
        RoomHead head = hs.homeserver().rooms().heads.get(roomId).orElseThrow();
        List<String> auth = new ArrayList<>();
        for (StateKey k : AuthEventsSelection.requiredFor(type, stateKey, sender, content, head.version())) {
            String id = head.currentState().get(k);
            if (id != null) {
                auth.add(id);
            }
        }
        Pdu pdu = EventBuilder.in(head.version(), roomId).type(type).stateKey(stateKey).sender(sender).content(content)
                .prevEvents(head.forwardExtremities()).authEvents(auth).depth(head.maxDepth() + 1)
                .originServerTs(ts).build(fake.serverName(), fake.signingKey());
        Outcome outcome = hs.homeserver().rooms().pipeline.submit(new Input.RemoteEvent(pdu, fake.serverName()));
        assertInstanceOf(Outcome.Accepted.class, outcome, () -> "accepted: " + outcome);
        return pdu;
    }
}
