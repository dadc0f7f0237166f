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
import static org.myelin.server.client.sync.SyncClient.filter;
import static org.myelin.server.client.sync.SyncClient.joined;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.room;
import static org.myelin.server.client.sync.SyncClient.stateKeys;
import static org.myelin.server.client.sync.SyncClient.timeline;

/** {@code GET /sync}: initial and incremental syncs, limited timelines, state deltas, sections. */
class SyncIT {

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
    void initialSyncGivesTheRoomsStateAndLatestEvents() {
        String roomId = client.createRoom(alice, "{\"name\": \"Initial\"}");
        client.send(alice, roomId, "first");
        client.send(alice, roomId, "second");

        JsonNode sync = client.sync(alice);
        assertTrue(sync.path("next_batch").asText().matches("s\\d+(_\\d+){6}"), sync.path("next_batch").asText());
        JsonNode room = joined(sync, roomId);
        List<String> bodies = bodies(sync, roomId);
        assertEquals(List.of("first", "second"), bodies.subList(bodies.size() - 2, bodies.size()));
        // State at the start of the timeline plus the timeline's own state events cover the room.
        List<String> seen = new ArrayList<>(stateKeys(room));
        timeline(sync, roomId).stream().filter(e -> e.has("state_key"))
                .forEach(e -> seen.add(e.path("type").asText() + "|" + e.path("state_key").asText()));
        assertTrue(seen.contains("m.room.create|"), seen::toString);
        assertTrue(seen.contains("m.room.name|"), seen::toString);
        assertTrue(seen.contains("m.room.member|" + alice.userId()), seen::toString);
        for (JsonNode e : timeline(sync, roomId)) {
            assertFalse(e.has("room_id"), "sync events carry no room_id");
            assertTrue(e.path("unsigned").has("age"));
        }
        assertEquals(1, room.path("summary").path("m.joined_member_count").asInt());
        assertEquals(0, room.path("unread_notifications").path("notification_count").asInt());
        assertTrue(sync.path("account_data").path("events").isArray());
        assertTrue(sync.path("to_device").path("events").isArray());
        assertTrue(sync.path("device_lists").path("changed").isArray());
        assertTrue(sync.path("device_one_time_keys_count").isObject());
    }

    @Test
    void incrementalSyncGivesOnlyWhatIsNew() {
        String roomId = client.createRoom(alice, "{}");
        client.send(alice, roomId, "old");
        String since = client.sync(alice).path("next_batch").asText();
        client.send(alice, roomId, "new");

        JsonNode sync = client.sync(alice, since, "");
        assertEquals(List.of("new"), bodies(sync, roomId));
        JsonNode room = joined(sync, roomId);
        assertFalse(room.path("timeline").path("limited").asBoolean());
        assertEquals(0, room.path("state").path("events").size());

        JsonNode again = client.sync(alice, sync.path("next_batch").asText(), "");
        assertTrue(again.path("rooms").path("join").isEmpty(), "nothing new: no rooms");
        assertEquals(sync.path("next_batch").asText(), again.path("next_batch").asText());
    }

    @Test
    void garbageSinceIsRejected() {
        client.fails(400, "M_UNKNOWN", alice, "GET", SyncClient.V3 + "/sync?since=nonsense", null);
        client.fails(400, "M_UNKNOWN", alice, "GET", SyncClient.V3 + "/sync?since=s1_2_3", null);
        client.fails(400, "M_INVALID_PARAM", alice, "GET", SyncClient.V3 + "/sync?timeout=soon", null);
        client.fails(400, "M_INVALID_PARAM", alice, "GET", SyncClient.V3 + "/sync?set_presence=busy", null);
        assertEquals(401, hs.request("GET", SyncClient.V3 + "/sync", null).statusCode(), "no token");
    }

    @Test
    void moreEventsThanTheLimitGiveALimitedTimelineWithAPrevBatch() {
        String roomId = client.createRoom(alice, "{}");
        String since = client.sync(alice).path("next_batch").asText();
        for (int i = 1; i <= 15; i++) {
            client.send(alice, roomId, "m" + i);
        }
        JsonNode sync = client.sync(alice, since, filter("{\"room\": {\"timeline\": {\"limit\": 5}}}"));
        JsonNode timeline = joined(sync, roomId).path("timeline");
        assertTrue(timeline.path("limited").asBoolean());
        assertEquals(List.of("m11", "m12", "m13", "m14", "m15"), bodies(sync, roomId));
        // The gap is fillable with /messages from prev_batch backwards.
        JsonNode page = client.ok(alice, "GET", room(roomId) + "/messages?dir=b&limit=3&from="
                + SyncClient.enc(timeline.path("prev_batch").asText()), null);
        List<String> before = new ArrayList<>();
        page.path("chunk").forEach(e -> before.add(e.path("content").path("body").asText()));
        assertEquals(List.of("m10", "m9", "m8"), before);
    }

    @Test
    void aTopicChangedInTheGapComesAsStateDelta() {
        String roomId = client.createRoom(alice, "{}");
        String since = client.sync(alice).path("next_batch").asText();
        String topicId = client.state(alice, roomId, "m.room.topic", "", obj().put("topic", "new topic"));
        for (int i = 0; i < 8; i++) {
            client.send(alice, roomId, "after topic " + i);
        }
        JsonNode sync = client.sync(alice, since, filter("{\"room\": {\"timeline\": {\"limit\": 3}}}"));
        JsonNode room = joined(sync, roomId);
        assertTrue(room.path("timeline").path("limited").asBoolean());
        JsonNode topic = null;
        for (JsonNode e : room.path("state").path("events")) {
            if (e.path("type").asText().equals("m.room.topic")) {
                topic = e;
            }
        }
        assertTrue(topic != null, room::toString);
        assertEquals(topicId, topic.path("event_id").asText());
        assertEquals("new topic", topic.path("content").path("topic").asText());
        assertFalse(stateKeys(room).contains("m.room.create|"), "unchanged state is not repeated");
    }

    @Test
    void aStateChangeInsideTheTimelineIsNotRepeatedInState() {
        String roomId = client.createRoom(alice, "{}");
        String since = client.sync(alice).path("next_batch").asText();
        client.state(alice, roomId, "m.room.topic", "", obj().put("topic", "visible in timeline"));
        JsonNode sync = client.sync(alice, since, "");
        assertEquals(0, joined(sync, roomId).path("state").path("events").size());
        assertEquals("m.room.topic", timeline(sync, roomId).getFirst().path("type").asText());
    }

    @Test
    void invitesLeavesAndNewlyJoinedRooms() {
        String roomId = client.createRoom(alice, "{\"name\": \"Invitation\", \"topic\": \"come in\"}");
        client.send(alice, roomId, "before bob");
        String since = client.sync(bob).path("next_batch").asText();
        client.invite(alice, roomId, bob);

        JsonNode invited = client.sync(bob, since, "");
        JsonNode inviteState = invited.path("rooms").path("invite").path(roomId).path("invite_state").path("events");
        List<String> types = new ArrayList<>();
        inviteState.forEach(e -> types.add(e.path("type").asText()));
        assertTrue(types.contains("m.room.create") && types.contains("m.room.name") && types.contains("m.room.topic"),
                types::toString);
        JsonNode last = inviteState.get(inviteState.size() - 1);
        assertEquals("m.room.member", last.path("type").asText());
        assertEquals(bob.userId(), last.path("state_key").asText());
        assertEquals("invite", last.path("content").path("membership").asText());
        assertEquals(alice.userId(), last.path("sender").asText());
        assertFalse(last.has("event_id"), "stripped state only");

        client.join(bob, roomId);
        JsonNode joinedSync = client.sync(bob, invited.path("next_batch").asText(), "");
        JsonNode room = joined(joinedSync, roomId);
        List<String> all = new ArrayList<>(stateKeys(room));
        timeline(joinedSync, roomId).forEach(e -> all.add(e.path("type").asText() + "|" + e.path("state_key").asText("")));
        assertTrue(all.contains("m.room.create|"), "a newly joined room comes with its full state: " + all);
        assertTrue(bodies(joinedSync, roomId).contains("before bob"), "and its latest events");
        assertTrue(invitedRoomsOf(joinedSync).isEmpty());

        client.send(alice, roomId, "while bob is here");
        client.leave(bob, roomId);
        client.send(alice, roomId, "after bob left");
        JsonNode left = client.sync(bob, joinedSync.path("next_batch").asText(), "");
        JsonNode leftRoom = left.path("rooms").path("leave").path(roomId);
        List<JsonNode> leftTimeline = new ArrayList<>();
        leftRoom.path("timeline").path("events").forEach(leftTimeline::add);
        assertEquals("while bob is here", leftTimeline.getFirst().path("content").path("body").asText());
        JsonNode leave = leftTimeline.getLast();
        assertEquals("leave", leave.path("content").path("membership").asText());
        assertEquals(bob.userId(), leave.path("state_key").asText());
        assertTrue(joined(left, roomId).isMissingNode(), "no longer joined");

        JsonNode later = client.sync(bob, left.path("next_batch").asText(), "");
        assertTrue(later.path("rooms").path("leave").isEmpty(), "a leave is reported once");
        JsonNode archive = client.sync(bob, null, filter("{\"room\": {\"include_leave\": true}}"));
        assertTrue(archive.path("rooms").path("leave").has(roomId), "include_leave lists left rooms");
        assertFalse(client.sync(bob).path("rooms").path("leave").has(roomId), "only with include_leave");
    }

    @Test
    void fullStateResendsTheStateOfQuietRooms() {
        String roomId = client.createRoom(alice, "{}");
        String since = client.sync(alice).path("next_batch").asText();
        JsonNode sync = client.sync(alice, since, "&full_state=true");
        assertTrue(stateKeys(joined(sync, roomId)).contains("m.room.create|"), joined(sync, roomId)::toString);
    }

    @Test
    void summaryNamesHeroesOfUnnamedRooms() {
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        JsonNode summary = joined(client.sync(bob), roomId).path("summary");
        assertEquals(2, summary.path("m.joined_member_count").asInt());
        assertEquals(0, summary.path("m.invited_member_count").asInt());
        assertEquals(alice.userId(), summary.path("m.heroes").path(0).asText());
        assertEquals(1, summary.path("m.heroes").size(), "never the user themself");

        String named = client.createRoom(alice, "{\"name\": \"Named\"}");
        assertFalse(joined(client.sync(alice), named).path("summary").has("m.heroes"));
    }

    @Test
    void unreadNotificationsCountOthersMessagesAfterTheReadReceipt() {
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        client.send(alice, roomId, "one");
        String two = client.send(alice, roomId, "two");
        client.send(alice, roomId, "three");
        assertEquals(3, joined(client.sync(bob), roomId).path("unread_notifications").path("notification_count").asInt());
        assertEquals(0, joined(client.sync(alice), roomId).path("unread_notifications").path("notification_count")
                .asInt(), "own messages do not count");

        client.ok(bob, "POST", room(roomId) + "/receipt/m.read/" + SyncClient.enc(two), obj());
        assertEquals(1, joined(client.sync(bob), roomId).path("unread_notifications").path("notification_count").asInt());
        client.send(bob, roomId, "bob answers");
        assertEquals(0, joined(client.sync(bob), roomId).path("unread_notifications").path("notification_count").asInt(),
                "sending counts as reading");
    }

    @Test
    void useStateAfterGivesTheStateAtTheEndOfTheTimeline() {
        String roomId = client.createRoom(alice, "{}");
        String since = client.sync(alice).path("next_batch").asText();
        String topicId = client.state(alice, roomId, "m.room.topic", "", obj().put("topic", "in the timeline"));
        client.send(alice, roomId, "after the topic");

        JsonNode sync = client.sync(alice, since, "&use_state_after=true");
        JsonNode room = joined(sync, roomId);
        assertFalse(room.has("state"), "state is left out");
        JsonNode after = room.path("state_after").path("events");
        assertEquals(1, after.size(), room::toString);
        assertEquals(topicId, after.get(0).path("event_id").asText(), "the timeline's state events are included");

        JsonNode initial = client.sync(alice, null, "&use_state_after=true");
        assertTrue(stateKeysAfter(joined(initial, roomId)).contains("m.room.topic|"));
        assertTrue(stateKeysAfter(joined(initial, roomId)).contains("m.room.create|"));
        JsonNode quiet = client.sync(alice, initial.path("next_batch").asText(), "&use_state_after=true");
        assertTrue(quiet.path("rooms").path("join").isEmpty());
    }

    private static List<String> stateKeysAfter(JsonNode room) {
        List<String> keys = new ArrayList<>();
        room.path("state_after").path("events")
                .forEach(e -> keys.add(e.path("type").asText() + "|" + e.path("state_key").asText()));
        return keys;
    }

    @Test
    void aKnockAppearsInTheKnockSection() {
        String roomId = client.createRoom(alice, "{}");
        client.state(alice, roomId, "m.room.join_rules", "", obj().put("join_rule", "knock"));
        String since = client.sync(bob).path("next_batch").asText();
        var knock = hs.homeserver().rooms().pipeline.submit(org.myelin.rooms.pipeline.Input.LocalEvent.state(roomId,
                bob.userId(), "m.room.member", bob.userId(), obj().put("membership", "knock")));
        assertTrue(knock.isAccepted(), knock::toString);

        JsonNode sync = client.sync(bob, since, "");
        JsonNode knockState = sync.path("rooms").path("knock").path(roomId).path("knock_state").path("events");
        JsonNode last = knockState.get(knockState.size() - 1);
        assertEquals("knock", last.path("content").path("membership").asText(), sync::toString);
        List<String> types = new ArrayList<>();
        knockState.forEach(e -> types.add(e.path("type").asText()));
        assertTrue(types.contains("m.room.create") && types.contains("m.room.join_rules"), types::toString);
        assertTrue(client.sync(bob).path("rooms").path("knock").has(roomId), "initial syncs list knocks too");
    }

    @Test
    void aBanEndsTheTimelineInTheLeaveSection() {
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        String since = client.sync(bob).path("next_batch").asText();
        client.send(alice, roomId, "last words");
        client.ok(alice, "POST", room(roomId) + "/ban", obj().put("user_id", bob.userId()).put("reason", "spam"));
        client.send(alice, roomId, "bob cannot see this");

        JsonNode sync = client.sync(bob, since, "");
        JsonNode events = sync.path("rooms").path("leave").path(roomId).path("timeline").path("events");
        assertEquals("last words", events.get(0).path("content").path("body").asText(), sync::toString);
        assertEquals("ban", events.get(events.size() - 1).path("content").path("membership").asText());
        assertEquals(2, events.size());
    }

    private static JsonNode invitedRoomsOf(JsonNode sync) {
        return sync.path("rooms").path("invite");
    }
}
