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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.bodies;
import static org.myelin.server.client.sync.SyncClient.enc;
import static org.myelin.server.client.sync.SyncClient.joined;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.room;
import static org.myelin.server.client.sync.SyncClient.timeline;

/**
 * Incremental syncs, which are answered from what the server keeps in memory (recent events,
 * memberships, counts, summaries) where it can: each answer must be the one the store gives, also
 * when what changed lies beyond what memory holds, or came before a restart.
 */
class IncrementalSyncIT {

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

    private static String sharedRoom() {
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        return roomId;
    }

    private static JsonNode counts(JsonNode sync, String roomId) {
        return joined(sync, roomId).path("unread_notifications");
    }

    private static int notifications(JsonNode sync, String roomId) {
        return counts(sync, roomId).path("notification_count").asInt(-1);
    }

    @Test
    void countsFollowNewMessagesReceiptsAndOwnMessagesFromSyncToSync() {
        String roomId = sharedRoom();
        JsonNode sync = client.sync(bob);
        client.send(alice, roomId, "one");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(1, notifications(sync, roomId));

        String two = client.send(alice, roomId, "two");
        client.send(alice, roomId, "three " + bob.userId());
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(3, notifications(sync, roomId), sync::toString);
        assertEquals(1, counts(sync, roomId).path("highlight_count").asInt(), "the mention highlights");

        client.ok(bob, "POST", room(roomId) + "/receipt/m.read/" + enc(two), obj());
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(1, notifications(sync, roomId), "read up to two: three is left");
        assertEquals(1, counts(sync, roomId).path("highlight_count").asInt());

        client.send(alice, roomId, "four");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(2, notifications(sync, roomId));

        client.send(bob, roomId, "bob answers");
        client.send(alice, roomId, "five");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(1, notifications(sync, roomId), "sending counts as reading");
        assertEquals(0, counts(sync, roomId).path("highlight_count").asInt());
    }

    /**
     * What an event gives a user is fixed when it arrives, as Synapse records its push actions: a
     * push rule change applies to the events after it, also when the room is counted again after
     * a read receipt.
     */
    @Test
    void aPushRuleChangeAppliesToTheEventsAfterIt() {
        String roomId = sharedRoom();
        JsonNode sync = client.sync(bob);
        String one = client.send(alice, roomId, "one");
        client.send(alice, roomId, "two");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(2, notifications(sync, roomId));

        muteRoom(bob, roomId);
        client.send(alice, roomId, "three");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(2, notifications(sync, roomId), "one and two notified; three, after the rule, does not: "
                + counts(sync, roomId));

        client.ok(bob, "POST", room(roomId) + "/receipt/m.read/" + enc(one), obj());
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(1, notifications(sync, roomId), "read up to one: two is left, three never counted");
    }

    /**
     * A room that left the recent timeline is counted on from the count of the previous sync, with
     * the events after it read from the store.
     */
    @Test
    void aRoomTheRecentTimelineForgotIsCountedOnFromThePreviousSync() {
        String roomId = sharedRoom();
        JsonNode sync = client.sync(bob);
        client.send(alice, roomId, "one");
        client.send(alice, roomId, "two " + bob.userId());
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(2, notifications(sync, roomId));

        client.send(alice, roomId, "three");
        client.send(alice, roomId, "four " + bob.userId());
        hs.homeserver().rooms().recent.forget(roomId);
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(4, notifications(sync, roomId), counts(sync, roomId)::toString);
        assertEquals(2, counts(sync, roomId).path("highlight_count").asInt(), "both mentions highlight");

        hs.homeserver().rooms().recent.forget(roomId);
        client.send(bob, roomId, "bob answers");
        client.send(alice, roomId, "five");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(1, notifications(sync, roomId), "sending counts as reading");
        assertEquals(0, counts(sync, roomId).path("highlight_count").asInt());
    }

    /**
     * After a restart the counts of earlier events are the push actions stored when they arrived,
     * not the user's rules evaluated again.
     */
    @Test
    void countsOfEventsFromBeforeARestartAreThoseRecordedWhenTheyArrived() {
        String roomId = sharedRoom();
        client.send(alice, roomId, "one");
        client.send(alice, roomId, "look " + bob.userId());
        long now = hs.homeserver().rooms().streams.position(org.myelin.server.streams.StreamId.TIMELINE);
        assertTrue(hs.homeserver().pushActions().awaitProcessed(now, java.time.Duration.ofSeconds(30)));
        muteRoom(bob, roomId);

        hs.restart();
        JsonNode sync = client.sync(bob);
        assertEquals(2, notifications(sync, roomId), counts(sync, roomId)::toString);
        assertEquals(1, counts(sync, roomId).path("highlight_count").asInt(), counts(sync, roomId)::toString);

        client.send(alice, roomId, "three");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(2, notifications(sync, roomId), "three came after the rule: " + counts(sync, roomId));
    }

    /** A room rule that makes nothing in the room notify. */
    private static void muteRoom(TestUser user, String roomId) {
        client.ok(user, "PUT", SyncClient.V3 + "/pushrules/global/room/" + enc(roomId),
                obj("{\"actions\": [\"dont_notify\"]}"));
    }

    @Test
    void moreMessagesThanMemoryHoldsAreCountedAndLimited() {
        String roomId = sharedRoom();
        JsonNode sync = client.sync(bob);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            sent.add("m" + i);
            client.send(alice, roomId, "m" + i);
        }
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(80, notifications(sync, roomId));
        JsonNode timeline = joined(sync, roomId).path("timeline");
        assertTrue(timeline.path("limited").asBoolean(), timeline::toString);
        assertEquals(sent.subList(70, 80), bodies(sync, roomId));

        client.send(alice, roomId, "one more");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(81, notifications(sync, roomId));
        assertFalse(joined(sync, roomId).path("timeline").path("limited").asBoolean());
    }

    @Test
    void aMessageRedactedBeforeTheSyncComesRedacted() {
        String roomId = sharedRoom();
        client.send(alice, roomId, "before");
        JsonNode sync = client.sync(bob);
        String secret = client.send(alice, roomId, "oops, a secret");
        client.ok(alice, "PUT", room(roomId) + "/redact/" + enc(secret) + "/r" + System.nanoTime(), obj());

        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        JsonNode redacted = timeline(sync, roomId).stream().filter(e -> e.path("event_id").asText().equals(secret))
                .findFirst().orElseThrow(() -> new AssertionError("the redacted event is in the timeline"));
        assertTrue(redacted.path("content").isEmpty(), redacted::toString);
        assertTrue(redacted.path("unsigned").has("redacted_because"), redacted::toString);
    }

    @Test
    void aJoinChangesTheSummaryOfALazyLoadingClient() {
        String roomId = sharedRoom();
        String lazy = SyncClient.filter("{\"room\": {\"state\": {\"lazy_load_members\": true}}}");
        JsonNode sync = client.sync(bob, null, lazy);
        assertEquals(2, joined(sync, roomId).path("summary").path("m.joined_member_count").asInt());

        TestUser carol = hs.registerUser("carol");
        client.invite(alice, roomId, carol);
        client.join(carol, roomId);
        sync = client.sync(bob, sync.path("next_batch").asText(), lazy);
        assertEquals(3, joined(sync, roomId).path("summary").path("m.joined_member_count").asInt(), sync::toString);

        client.send(carol, roomId, "hi");
        sync = client.sync(bob, sync.path("next_batch").asText(), lazy);
        assertEquals(List.of("hi"), bodies(sync, roomId));
        assertTrue(joined(sync, roomId).path("state").path("events").isEmpty(), "carol's join came in the timeline");
    }

    @Test
    void aTopicChangedWhileTheClientWasAwayComesAsStateAfterAQuietStretch() {
        String roomId = sharedRoom();
        JsonNode sync = client.sync(bob);
        client.send(alice, roomId, "quiet");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        client.state(alice, roomId, "m.room.topic", "", obj().put("topic", "new topic"));
        for (int i = 0; i < 12; i++) {
            client.send(alice, roomId, "after the topic " + i);
        }
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertTrue(SyncClient.stateKeys(joined(sync, roomId)).contains("m.room.topic|"), sync::toString);

        client.send(alice, roomId, "and on");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertTrue(joined(sync, roomId).path("state").path("events").isEmpty(), "told once");
    }

    @Test
    void aTokenFromBeforeARestartStillGetsWhatCameAfter() {
        String roomId = sharedRoom();
        client.send(alice, roomId, "before the restart");
        String since = client.sync(bob).path("next_batch").asText();

        hs.restart();
        client.send(alice, roomId, "after the restart");
        JsonNode sync = client.sync(bob, since, "");
        assertEquals(List.of("after the restart"), bodies(sync, roomId));
        assertEquals(2, notifications(sync, roomId));

        client.send(alice, roomId, "and again");
        sync = client.sync(bob, sync.path("next_batch").asText(), "");
        assertEquals(List.of("and again"), bodies(sync, roomId));
        assertEquals(3, notifications(sync, roomId));
    }
}
