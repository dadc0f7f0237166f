package org.myelin.storage.rooms;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.testing.TestDatabases;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MembershipRepositoryIT {

    private static Database database;
    private static MembershipRepository memberships;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
        memberships = new MembershipRepository(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static void member(String roomId, String userId, String membership) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO room_memberships (room_id, user_id, membership, event_id) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, roomId);
            ps.setString(2, userId);
            ps.setString(3, membership);
            ps.setString(4, "$" + userId);
            ps.executeUpdate();
        }
    }

    @Test
    void joinedServersAreTheServersOfJoinedMembersOnly() throws Exception {
        String room = "!servers:a.example";
        for (int i = 0; i < 50; i++) {
            member(room, "@m" + i + ":b.example", "join");
        }
        member(room, "@a:a.example", "join");
        member(room, "@ipv6:[::1]:8448", "join");
        member(room, "@port:b.example:8448", "join");
        member(room, "@left:c.example", "leave");
        member(room, "@invited:d.example", "invite");
        member("!other:a.example", "@elsewhere:e.example", "join");

        assertEquals(List.of("[::1]:8448", "a.example", "b.example", "b.example:8448"),
                memberships.joinedServers(room).stream().sorted().toList());
        assertEquals(List.of(), memberships.joinedServers("!empty:a.example"));
    }
}
