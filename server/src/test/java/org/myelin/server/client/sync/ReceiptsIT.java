package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.enc;
import static org.myelin.server.client.sync.SyncClient.ephemeral;
import static org.myelin.server.client.sync.SyncClient.joined;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.room;
import static org.myelin.server.client.sync.SyncClient.user;

/** Receipts and read markers, and how /sync delivers them. */
class ReceiptsIT {

    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;
    static TestUser eve;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        eve = hs.registerUser("eve");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static String receipt(String roomId, String type, String eventId) {
        return room(roomId) + "/receipt/" + type + "/" + enc(eventId);
    }

    private String sharedRoom() {
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        return roomId;
    }

    @Test
    void aReadReceiptReachesTheOtherUser() {
        String roomId = sharedRoom();
        String eventId = client.send(alice, roomId, "read me");
        String since = client.sync(alice).path("next_batch").asText();
        client.ok(bob, "POST", receipt(roomId, "m.read", eventId), obj());

        JsonNode sync = client.longPoll(alice, since, 30_000, "");
        JsonNode read = ephemeral(sync, roomId, "m.receipt").path("content").path(eventId).path("m.read")
                .path(bob.userId());
        assertTrue(read.path("ts").isIntegralNumber(), sync::toString);
        assertFalse(read.has("thread_id"), "unthreaded");

        JsonNode initial = client.sync(alice);
        assertTrue(ephemeral(initial, roomId, "m.receipt").path("content").path(eventId).path("m.read")
                .has(bob.userId()), "an initial sync carries the current receipts");
    }

    @Test
    void aPrivateReceiptIsOnlySeenByItsOwner() {
        String roomId = sharedRoom();
        String eventId = client.send(alice, roomId, "secretly read");
        String aliceSince = client.sync(alice).path("next_batch").asText();
        client.ok(bob, "POST", receipt(roomId, "m.read.private", eventId), obj());

        JsonNode bobs = client.sync(bob);
        assertTrue(ephemeral(bobs, roomId, "m.receipt").path("content").path(eventId).path("m.read.private")
                .has(bob.userId()), bobs::toString);
        JsonNode alices = client.sync(alice, aliceSince, "");
        assertTrue(ephemeral(alices, roomId, "m.receipt").isMissingNode(), alices::toString);
        assertEquals(0, joined(bobs, roomId).path("unread_notifications").path("notification_count").asInt(),
                "a private receipt clears notifications too");
    }

    @Test
    void threadedReceiptsKeepTheirThread() {
        String roomId = sharedRoom();
        String eventId = client.send(alice, roomId, "in main");
        client.ok(bob, "POST", receipt(roomId, "m.read", eventId), obj().put("thread_id", "main"));
        JsonNode read = ephemeral(client.sync(alice), roomId, "m.receipt").path("content").path(eventId)
                .path("m.read").path(bob.userId());
        assertEquals("main", read.path("thread_id").asText());
        client.fails(400, "M_INVALID_PARAM", bob, "POST", receipt(roomId, "m.read", eventId), obj().put("thread_id", ""));
        client.fails(400, "M_INVALID_PARAM", bob, "POST", receipt(roomId, "m.fully_read", eventId),
                obj().put("thread_id", "main"));
    }

    /**
     * The spec's rule as Synapse checks it: a receipt in a thread names its root or an event whose
     * relations lead there; one in the main timeline names an event of no thread.
     */
    @Test
    void aThreadedReceiptMustNameAnEventOfItsThread() {
        String roomId = sharedRoom();
        String root = client.send(alice, roomId, "root");
        String reply = client.threadReply(alice, roomId, root, "in the thread");
        String reaction = client.react(alice, roomId, reply, "👍");
        ObjectNode referenceContent = obj().put("msgtype", "m.text").put("body", "about the root");
        referenceContent.putObject("m.relates_to").put("rel_type", "m.reference").put("event_id", root);
        String reference = client.sendEvent(alice, roomId, "m.room.message", referenceContent);
        String plain = client.send(alice, roomId, "in main");

        for (String inThread : new String[] {root, reply, reaction, reference}) {
            client.ok(bob, "POST", receipt(roomId, "m.read", inThread), obj().put("thread_id", root));
        }
        for (String inMain : new String[] {root, reference, plain}) {
            client.ok(bob, "POST", receipt(roomId, "m.read.private", inMain), obj().put("thread_id", "main"));
        }
        client.fails(400, "M_INVALID_PARAM", bob, "POST", receipt(roomId, "m.read", plain),
                obj().put("thread_id", root));
        client.fails(400, "M_INVALID_PARAM", bob, "POST", receipt(roomId, "m.read", reply),
                obj().put("thread_id", "main"));
        client.fails(400, "M_INVALID_PARAM", bob, "POST", receipt(roomId, "m.read", reaction),
                obj().put("thread_id", "main"));
        client.fails(400, "M_INVALID_PARAM", bob, "POST", receipt(roomId, "m.read", plain),
                obj().put("thread_id", plain));
        client.fails(400, "M_INVALID_PARAM", bob, "POST", receipt(roomId, "m.read", plain),
                obj().put("thread_id", "not an event id"));
        client.ok(bob, "POST", receipt(roomId, "m.read", plain), obj());
    }

    @Test
    void receiptsOnlyMoveForward() {
        String roomId = sharedRoom();
        String older = client.send(alice, roomId, "older");
        String newer = client.send(alice, roomId, "newer");
        client.ok(bob, "POST", receipt(roomId, "m.read", newer), obj());
        String since = client.sync(alice).path("next_batch").asText();
        client.ok(bob, "POST", receipt(roomId, "m.read", older), obj());
        JsonNode sync = client.sync(alice, since, "");
        assertTrue(ephemeral(sync, roomId, "m.receipt").isMissingNode(), "an older receipt changes nothing");
    }

    @Test
    void badReceiptsAreRefused() {
        String roomId = sharedRoom();
        String eventId = client.send(alice, roomId, "hello");
        client.fails(400, "M_INVALID_PARAM", bob, "POST", receipt(roomId, "m.seen", eventId), obj());
        client.fails(403, "M_FORBIDDEN", eve, "POST", receipt(roomId, "m.read", eventId), obj());
        client.fails(404, "M_NOT_FOUND", bob, "POST", receipt(roomId, "m.read", "$unknown:example.org"), obj());
        var noBody = client.call(bob, "POST", receipt(roomId, "m.read", eventId), null);
        assertEquals(200, noBody.statusCode(), () -> "no body is taken as {}: " + noBody.body());
    }

    @Test
    void readMarkersSetTheFullyReadMarkerAndReceipts() {
        String roomId = sharedRoom();
        String first = client.send(alice, roomId, "first");
        String second = client.send(alice, roomId, "second");
        String since = client.sync(bob).path("next_batch").asText();
        client.ok(bob, "POST", room(roomId) + "/read_markers",
                obj().put("m.fully_read", first).put("m.read", second));

        JsonNode sync = client.sync(bob, since, "");
        JsonNode fullyRead = null;
        for (JsonNode e : joined(sync, roomId).path("account_data").path("events")) {
            if (e.path("type").asText().equals("m.fully_read")) {
                fullyRead = e;
            }
        }
        assertTrue(fullyRead != null, sync::toString);
        assertEquals(first, fullyRead.path("content").path("event_id").asText());
        assertTrue(ephemeral(sync, roomId, "m.receipt").path("content").path(second).path("m.read").has(bob.userId()));
        assertEquals(first, client.ok(bob, "GET", user(bob) + "/rooms/" + enc(roomId) + "/account_data/m.fully_read",
                null).path("event_id").asText(), "clients can read it");

        client.ok(bob, "POST", receipt(roomId, "m.fully_read", second), obj());
        assertEquals(second, client.ok(bob, "GET", user(bob) + "/rooms/" + enc(roomId) + "/account_data/m.fully_read",
                null).path("event_id").asText(), "the receipt endpoint moves the marker too");
        client.fails(405, "M_BAD_JSON", bob, "PUT", user(bob) + "/rooms/" + enc(roomId) + "/account_data/m.fully_read",
                obj().put("event_id", first));
    }
}
