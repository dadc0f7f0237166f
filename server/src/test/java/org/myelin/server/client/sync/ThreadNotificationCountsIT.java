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
import static org.myelin.server.client.sync.SyncClient.filter;
import static org.myelin.server.client.sync.SyncClient.joined;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.room;

/**
 * Notification counts thread by thread in /sync (client-server API, "Receiving notifications",
 * "Threaded read receipts"; {@code unread_thread_notifications} of the {@code RoomEventFilter}):
 * the main timeline's in {@code unread_notifications}, each thread's under its root, each read by
 * unthreaded receipts, its own receipts and the user's own events in it.
 */
class ThreadNotificationCountsIT {

    private static final String BY_THREAD = filter("{\"room\":{\"timeline\":{\"unread_thread_notifications\":true}}}");

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

    private String sharedRoom() {
        String roomId = client.createRoom(alice, "{\"preset\":\"public_chat\"}");
        client.join(bob, roomId);
        return roomId;
    }

    private static void receipt(TestUser user, String roomId, String eventId, String threadId) {
        ObjectNode body = obj();
        if (threadId != null) {
            body.put("thread_id", threadId);
        }
        client.ok(user, "POST", room(roomId) + "/receipt/m.read/" + enc(eventId), body);
    }

    /** "notifications/highlights" of the main timeline, by thread, or of the room, from a fresh sync of bob's. */
    private static String counts(String roomId, String threadId) {
        JsonNode room = joined(client.sync(bob, null, BY_THREAD), roomId);
        JsonNode counts = threadId == null ? room.path("unread_notifications")
                : room.path("unread_thread_notifications").path(threadId);
        return counts.isMissingNode() ? "none" : counts.path("notification_count").asInt() + "/"
                + counts.path("highlight_count").asInt();
    }

    @Test
    void eachThreadIsCountedApartFromTheMainTimeline() {
        String roomId = sharedRoom();
        String root = client.send(alice, roomId, "root");
        client.threadReply(alice, roomId, root, "one");
        client.threadReply(alice, roomId, root, "two");
        client.send(alice, roomId, "main again");

        JsonNode room = joined(client.sync(bob, null, BY_THREAD), roomId);
        assertEquals(2, room.at("/unread_notifications/notification_count").asInt(), room::toString);
        assertEquals(2, room.path("unread_thread_notifications").path(root).path("notification_count").asInt(),
                room::toString);
        assertEquals(1, room.path("unread_thread_notifications").size(), "only the thread with notifications");

        JsonNode together = joined(client.sync(bob), roomId);
        assertEquals(4, together.at("/unread_notifications/notification_count").asInt(), together::toString);
        assertFalse(together.has("unread_thread_notifications"), "only when the filter asks: " + together);
    }

    @Test
    void aThreadsReceiptReadsThatThreadAlone() {
        String roomId = sharedRoom();
        String root = client.send(alice, roomId, "root");
        String first = client.threadReply(alice, roomId, root, "one");
        client.threadReply(alice, roomId, root, "two");
        String main = client.send(alice, roomId, "main");
        assertEquals("2/0", counts(roomId, null));
        assertEquals("2/0", counts(roomId, root));

        receipt(bob, roomId, first, root);
        assertEquals("1/0", counts(roomId, root), "the thread's receipt reads its first reply");
        assertEquals("2/0", counts(roomId, null), "and nothing of the main timeline");

        receipt(bob, roomId, main, "main");
        assertEquals("0/0", counts(roomId, null));
        assertEquals("1/0", counts(roomId, root), "a receipt of the main timeline leaves the thread unread");
    }

    @Test
    void anUnthreadedReceiptReadsEveryThreadUpToIt() {
        String roomId = sharedRoom();
        String root = client.send(alice, roomId, "root");
        client.threadReply(alice, roomId, root, "one");
        String second = client.threadReply(alice, roomId, root, "two");
        client.send(alice, roomId, "main after");
        client.threadReply(alice, roomId, root, "three");

        receipt(bob, roomId, second, null);
        assertEquals("1/0", counts(roomId, null), "the main message after the receipt");
        assertEquals("1/0", counts(roomId, root), "the reply after the receipt");
    }

    @Test
    void theUsersOwnReplyReadsItsThread() {
        String roomId = sharedRoom();
        String root = client.send(alice, roomId, "root");
        client.threadReply(alice, roomId, root, "one");
        client.send(alice, roomId, "main");
        client.threadReply(bob, roomId, root, "an answer");
        assertEquals("none", counts(roomId, root));
        assertEquals("2/0", counts(roomId, null), "bob's reply in the thread reads nothing of the main timeline");

        client.threadReply(alice, roomId, root, "later");
        assertEquals("1/0", counts(roomId, root));
    }

    @Test
    void mentionsHighlightInTheirThreadAndRelatedEventsCountInIt() {
        String roomId = sharedRoom();
        String root = client.send(alice, roomId, "root");
        String reply = client.threadReply(alice, roomId, root, "one");
        ObjectNode mention = obj().put("msgtype", "m.text").put("body", "bob, look");
        mention.putObject("m.relates_to").put("rel_type", "m.thread").put("event_id", root);
        mention.putObject("m.mentions").putArray("user_ids").add(bob.userId());
        client.sendEvent(alice, roomId, "m.room.message", mention);
        ObjectNode reference = obj().put("msgtype", "m.text").put("body", "about the reply");
        reference.putObject("m.relates_to").put("rel_type", "m.reference").put("event_id", reply);
        client.sendEvent(alice, roomId, "m.room.message", reference);

        assertEquals("3/1", counts(roomId, root), "the reply, the mention and the reference to a reply");
        assertEquals("1/0", counts(roomId, null), "the root alone is in the main timeline");
    }

    @Test
    void nothingBeforeTheJoinCounts() {
        String roomId = client.createRoom(alice, "{\"preset\":\"public_chat\"}");
        String root = client.send(alice, roomId, "root");
        client.threadReply(alice, roomId, root, "earlier");
        client.join(bob, roomId);
        assertEquals("0/0", counts(roomId, null));
        assertEquals("none", counts(roomId, root));
        client.threadReply(alice, roomId, root, "later");
        assertEquals("1/0", counts(roomId, root));
    }

    @Test
    void anIncrementalSyncCarriesTheNewCountsOfAThread() {
        String roomId = sharedRoom();
        String root = client.send(alice, roomId, "root");
        client.threadReply(alice, roomId, root, "one");
        String last = client.threadReply(alice, roomId, root, "two");
        JsonNode initial = client.sync(bob, null, BY_THREAD);
        assertTrue(joined(initial, roomId).path("unread_thread_notifications").has(root), initial::toString);

        receipt(bob, roomId, last, root);
        JsonNode next = client.sync(bob, initial.path("next_batch").asText(), BY_THREAD);
        JsonNode room = joined(next, roomId);
        assertFalse(room.isMissingNode(), "the receipt brings the room back: " + next);
        assertFalse(room.has("unread_thread_notifications"), "the thread has nothing unread now: " + room);
        assertEquals(1, room.at("/unread_notifications/notification_count").asInt(), "the root is still unread");

        client.threadReply(alice, roomId, root, "three");
        JsonNode third = joined(client.sync(bob, next.path("next_batch").asText(), BY_THREAD), roomId);
        assertEquals(1, third.path("unread_thread_notifications").path(root).path("notification_count").asInt(),
                third::toString);
    }
}
