package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.streams.StreamId;
import org.myelin.server.testing.QueryCounter;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.bodies;
import static org.myelin.server.client.sync.SyncClient.joined;

/**
 * What an incremental /sync costs, counted in SQL statements (deterministic, unlike timings): it
 * must be proportional to what changed, not to how many rooms the user is in.
 */
class SyncQueryCountIT {

    /** A user in this many rooms, each with another member. */
    static final int ROOMS = 10;

    static final QueryCounter queries = new QueryCounter();
    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;
    static final List<String> rooms = new ArrayList<>();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder().instrument(queries).start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        for (int i = 0; i < ROOMS; i++) {
            String roomId = client.createRoom(bob, "{\"preset\": \"public_chat\", \"name\": \"Room " + i + "\"}");
            client.join(alice, roomId);
            client.send(bob, roomId, "hello " + i);
            rooms.add(roomId);
        }
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    /**
     * Waits until the push actions of every event so far are recorded: the recorder runs behind
     * each commit, and its queries are not the request's.
     */
    private static void settled() {
        long now = hs.homeserver().rooms().streams.position(StreamId.TIMELINE);
        assertTrue(hs.homeserver().pushActions().awaitProcessed(now, Duration.ofSeconds(30)), "push actions recorded");
    }

    /** A sync token of alice's after everything so far, with the rooms' caches warm. */
    private static String caughtUp() {
        String since = client.sync(alice).path("next_batch").asText();
        return client.sync(alice, since, "").path("next_batch").asText();
    }

    @Test
    void oneNewMessageInOneOfTenRoomsCostsAHandfulOfQueries() {
        String since = caughtUp();
        client.send(bob, rooms.get(3), "one new message");

        settled();

        QueryCounter.Counted<JsonNode> sync = queries.counting(() -> client.sync(alice, since, ""));

        assertEquals(List.of("one new message"), bodies(sync.result(), rooms.get(3)));
        assertEquals(1, sync.result().path("rooms").path("join").size(), "only the room with news");
        assertEquals(2, joined(sync.result(), rooms.get(3)).path("unread_notifications").path("notification_count")
                .asInt(), "bob's greeting and the new message, both after alice joined");
        assertTrue(sync.queries().size() <= 4, () -> sync.queries().size() + " queries: " + sync.queries());
    }

    /**
     * A client that syncs from scratch again (a new device, a cleared cache) costs no statement
     * per room while the rooms' recent timelines, state and counts are in memory: the windows come
     * from the recent timeline, and what events replaced, the states before windows and the
     * snapshots are remembered.
     */
    @Test
    void anotherInitialSyncCostsNoStatementPerRoom() {
        client.sync(alice);

        settled();

        QueryCounter.Counted<JsonNode> sync = queries.counting(() -> client.sync(alice));

        assertEquals(ROOMS, sync.result().path("rooms").path("join").size());
        assertTrue(bodies(sync.result(), rooms.get(0)).contains("hello 0"), sync.result()::toString);
        assertTrue(sync.queries().size() < ROOMS, () -> sync.queries().size() + " queries: " + sync.queries());
    }

    /**
     * A user's first initial sync reads the read positions, member summaries, redacted and related
     * events and replaced state of all their rooms together, not room by room.
     */
    @Test
    void aFirstInitialSyncReadsWhatItsRoomsNeedTogether() {
        TestUser dave = hs.registerUser("dave");
        for (String roomId : rooms) {
            client.join(dave, roomId);
        }

        settled();

        QueryCounter.Counted<JsonNode> sync = queries.counting(() -> client.sync(dave));

        assertEquals(ROOMS, sync.result().path("rooms").path("join").size());
        assertEquals(3, joined(sync.result(), rooms.get(0)).path("summary").path("m.joined_member_count").asInt(),
                sync.result()::toString);
        List<String> perRoomKinds = sync.queries().stream()
                .filter(q -> q.contains("FROM receipts") || q.contains("COUNT(*) FROM room_memberships")
                        || q.contains("redacts") || q.contains("FROM event_relations") || q.contains("WITH RECURSIVE asked"))
                .toList();
        assertTrue(perRoomKinds.size() <= 5, () -> perRoomKinds.size()
                + " receipt, member count, redaction, relation and replaced state queries: " + perRoomKinds);
    }

    @Test
    void nothingNewCostsNoQueries() {
        String since = caughtUp();

        settled();

        List<String> made = queries.during(() -> client.sync(alice, since, ""));

        assertTrue(made.isEmpty(), () -> made.size() + " queries: " + made);
    }

    @Test
    void aLazyLoadingClientPaysNoMoreForItsMembers() {
        String lazy = SyncClient.filter("{\"room\": {\"state\": {\"lazy_load_members\": true}}}");
        String first = client.sync(alice, null, lazy).path("next_batch").asText();
        String since = client.sync(alice, first, lazy).path("next_batch").asText();
        TestUser carol = hs.registerUser("carol");
        client.join(carol, rooms.get(5));
        String afterJoin = client.sync(alice, since, lazy).path("next_batch").asText();
        client.send(carol, rooms.get(5), "carol speaks");

        settled();

        QueryCounter.Counted<JsonNode> sync = queries.counting(() -> client.sync(alice, afterJoin, lazy));

        assertEquals(List.of("carol speaks"), bodies(sync.result(), rooms.get(5)));
        assertTrue(sync.queries().size() <= 4, () -> sync.queries().size() + " queries: " + sync.queries());
    }

    @Test
    void sendingAMessageLooksUpNeitherTheTokenNorTheRoomsServersAgain() {
        client.send(bob, rooms.get(1), "warm up");

        settled();

        List<String> made = queries.during(() -> client.send(bob, rooms.get(1), "counted"));

        assertTrue(made.stream().noneMatch(q -> q.contains("access_tokens")), made::toString);
        assertTrue(made.stream().noneMatch(q -> q.contains("room_memberships")), made::toString);
    }

    @Test
    void aSendCommitsItsTransactionWithTheEventAndARetryLooksNothingUp() {
        String path = SyncClient.room(rooms.get(2)) + "/send/m.room.message/counted-txn";
        var body = SyncClient.obj().put("msgtype", "m.text").put("body", "once");

        settled();

        QueryCounter.Counted<JsonNode> first = queries.counting(() -> client.ok(bob, "PUT", path, body));
        List<String> txn = first.queries().stream().filter(q -> q.contains("client_transactions")).toList();
        assertEquals(2, txn.size(), first.queries()::toString);
        assertTrue(txn.get(0).startsWith("SELECT"), "one lookup: is this a retry? " + txn);
        assertTrue(txn.get(1).startsWith("INSERT"), txn::toString);
        // The record is written in the event's commit (after its row, before the next request's statements).
        assertTrue(first.queries().indexOf(txn.get(1)) > indexOf(first.queries(), "INSERT INTO events"),
                first.queries()::toString);

        settled();

        QueryCounter.Counted<JsonNode> retry = queries.counting(() -> client.ok(bob, "PUT", path, body));
        assertEquals(first.result().path("event_id"), retry.result().path("event_id"));
        assertTrue(retry.queries().isEmpty(), () -> "a retry is answered from memory: " + retry.queries());
    }

    @Test
    void theSendersSyncGetsItsTransactionIdWithoutAQuery() {
        String since = client.sync(bob, client.sync(bob).path("next_batch").asText(), "").path("next_batch").asText();
        client.ok(bob, "PUT", SyncClient.room(rooms.get(4)) + "/send/m.room.message/mine-1",
                SyncClient.obj().put("msgtype", "m.text").put("body", "mine"));

        settled();

        QueryCounter.Counted<JsonNode> sync = queries.counting(() -> client.sync(bob, since, ""));

        JsonNode event = joined(sync.result(), rooms.get(4)).path("timeline").path("events").get(0);
        assertEquals("mine-1", event.path("unsigned").path("transaction_id").asText(), event::toString);
        assertTrue(sync.queries().stream().noneMatch(q -> q.contains("client_transactions")),
                sync.queries()::toString);
    }

    private static int indexOf(List<String> queries, String prefix) {
        for (int i = 0; i < queries.size(); i++) {
            if (queries.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }
}
