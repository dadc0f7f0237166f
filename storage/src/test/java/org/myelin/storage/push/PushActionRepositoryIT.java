package org.myelin.storage.push;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.push.PushActionRepository.PushAction;
import org.myelin.storage.push.PushActionRepository.UnreadCounts;
import org.myelin.storage.testing.TestDatabases;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PushActionRepositoryIT {

    private static Database database;
    private static PushActionRepository repo;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
        repo = new PushActionRepository(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static PushAction action(String user, String room, String eventId, long position, boolean highlight) {
        return new PushAction(user, room, eventId, position, highlight ? "[\"notify\",{\"set_tweak\":\"highlight\"}]"
                : "[\"notify\"]", highlight, 1000 + position);
    }

    private static void event(String room, String eventId, String type, String sender, long position)
            throws SQLException {
        exec("INSERT INTO events (event_id, room_id, room_version, type, sender, depth, origin_server_ts, "
                + "stream_ordering, json) VALUES (?, ?, '12', ?, ?, 1, 1, ?, '\\x7b7d')", eventId, room, type, sender,
                position);
    }

    private static void exec(String sql, Object... args) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    @Test
    void recordingTwiceKeepsTheFirstActionsAndThePositionOnlyMovesForward() {
        long start = repo.processedUpTo();
        repo.record(List.of(action("@a:x", "!r:x", "$1", start + 1, false)), start + 5);
        repo.record(List.of(action("@a:x", "!r:x", "$1", start + 1, true)), start + 3);
        assertEquals(start + 5, repo.processedUpTo());
        List<PushAction> stored = repo.newestFirst("@a:x", null, 10, false);
        assertEquals(1, stored.size());
        assertEquals("[\"notify\"]", stored.getFirst().actionsJson());
    }

    @Test
    void pagesGoNewestFirstBeforeAPositionAndHighlightsAlone() {
        repo.record(List.of(action("@p:x", "!r:x", "$p1", 101, false), action("@p:x", "!r:x", "$p2", 102, true),
                action("@p:x", "!r:x", "$p3", 103, false), action("@q:x", "!r:x", "$p3", 103, false)), 103);
        assertEquals(List.of("$p3", "$p2"), repo.newestFirst("@p:x", null, 2, false).stream()
                .map(PushAction::eventId).toList());
        assertEquals(List.of("$p1"), repo.newestFirst("@p:x", 102L, 2, false).stream().map(PushAction::eventId)
                .toList());
        assertEquals(List.of("$p2"), repo.newestFirst("@p:x", null, 10, true).stream().map(PushAction::eventId)
                .toList());
    }

    @Test
    void unreadCountsStartAfterTheReceiptOrTheUsersOwnEventInRoomsTheyAreIn() throws SQLException {
        String u = "@count:x";
        exec("INSERT INTO room_memberships (room_id, user_id, membership, event_id) VALUES "
                + "('!one:x', ?, 'join', '$m1'), ('!two:x', ?, 'join', '$m2'), ('!left:x', ?, 'leave', '$m3'), "
                + "('!invited:x', ?, 'invite', '$m4')", u, u, u, u);
        event("!one:x", "$c1", "m.room.message", "@other:x", 201);
        event("!one:x", "$c2", "m.call.invite", "@other:x", 202);
        event("!one:x", "$c3", "m.room.message", "@other:x", 203);
        event("!two:x", "$c4", "m.room.message", "@other:x", 204);
        event("!two:x", "$mine", "m.room.message", u, 205);
        event("!two:x", "$c5", "m.call.invite", "@other:x", 206);
        event("!left:x", "$c6", "m.room.message", "@other:x", 207);
        repo.record(List.of(action(u, "!one:x", "$c1", 201, false), action(u, "!one:x", "$c2", 202, false),
                action(u, "!one:x", "$c3", 203, false), action(u, "!two:x", "$c4", 204, false),
                action(u, "!two:x", "$c5", 206, false), action(u, "!left:x", "$c6", 207, false)), 207);
        exec("INSERT INTO receipts (room_id, receipt_type, user_id, thread_id, event_id, event_stream_ordering, ts, "
                + "stream_position) VALUES ('!one:x', 'm.read', ?, '', '$c1', 201, 1, 1)", u);

        // !one: after the receipt, $c2 (a call) and $c3; !two: after their own $mine, $c5 (a call); !left: not joined.
        assertEquals(new UnreadCounts(3, 2, 1), repo.unreadCounts(u));
        assertEquals(List.of("$c2", "$c3", "$c4", "$c5", "$c6"), repo.unreadAfter(u, 0, 10).stream()
                .map(PushAction::eventId).toList(), "a pusher sends what the read receipts leave, as Synapse's");
        assertEquals(List.of("$c5", "$c6"), repo.unreadAfter(u, 204, 10).stream().map(PushAction::eventId).toList());
    }
}
