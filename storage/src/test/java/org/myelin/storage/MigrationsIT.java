package org.myelin.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.testing.TestDatabases;

class MigrationsIT {

    private static Database database;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void migrationsCreateTheEventStore() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(
                     "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertTrue(tables.containsAll(List.of("events", "rooms", "event_prev_edges", "event_auth_edges",
                "state_snapshots", "state_snapshot_entries", "forward_extremities", "room_current_state")), tables::toString);
    }

    @Test
    void recordsAppliedVersionAndIsIdempotent() throws SQLException {
        assertEquals(0, Migrations.apply(database.dataSource()), "a second run applies nothing");
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")) {
            assertTrue(rs.next());
            assertEquals("0001", rs.getString(1));
        }
    }

    @Test
    void freshDatabasesAreIsolated() throws SQLException {
        try (Database other = TestDatabases.freshDatabase()) {
            exec(other, "INSERT INTO rooms (room_id, room_version, created_ts) VALUES ('!a:x', '12', 1)");
            assertEquals(0, count(database, "SELECT count(*) FROM rooms WHERE room_id = '!a:x'"));
            assertEquals(1, count(other, "SELECT count(*) FROM rooms WHERE room_id = '!a:x'"));
        }
    }

    static void exec(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
