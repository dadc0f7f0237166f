package org.myelin.storage.keys.backup;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiPredicate;

/**
 * Server-side key backups (client-server API, "Server-side key backups"): per user, numbered
 * backup versions, each with its auth data and the encrypted megolm session keys uploaded to it.
 * The newest version is the current one, the only one keys are written to. Every write to a
 * user's backups first locks the user's row in {@code room_key_backup_users}, so writes of one
 * user never interleave (a new version and an upload to the old one, two uploads of one session).
 * JSON (auth data, session data) is kept as the text it was given.
 */
public final class KeyBackupRepository {

    /** A backup version; {@code authData} is JSON text. */
    public record Version(long version, String algorithm, String authData, long etag, long count) {
    }

    /**
     * A backed-up session key: what the server compares to keep the better one, and the
     * encrypted key itself ({@code sessionData}, JSON text).
     */
    public record SessionKey(long firstMessageIndex, long forwardedCount, boolean verified, String sessionData) {
    }

    /** A session key of one room. */
    public record RoomSession(String roomId, String sessionId, SessionKey key) {
    }

    /** What a write to a version's keys found. */
    public sealed interface KeysWrite {
        /** Done: the version's etag and key count after it. */
        record Done(long etag, long count) implements KeysWrite {
        }

        /** The version does not exist (or the user has no backup at all). */
        record NotFound() implements KeysWrite {
        }

        /** The version exists but is not the current one, which is {@code current}. */
        record WrongVersion(long current) implements KeysWrite {
        }
    }

    /** What changing a version's auth data found. */
    public enum VersionUpdate { UPDATED, NOT_FOUND, ALGORITHM_MISMATCH }

    private static final KeysWrite NOT_FOUND = new KeysWrite.NotFound();

    private final DataSource dataSource;

    public KeyBackupRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the user's next backup version, which becomes the current one; returns its number. */
    public long create(String userId, String algorithm, String authData) {
        return Transactions.inTransaction(dataSource, c -> {
            long version;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO room_key_backup_users (user_id, last_version) VALUES (?, 1)
                    ON CONFLICT (user_id) DO UPDATE SET last_version = room_key_backup_users.last_version + 1
                    RETURNING last_version""")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    version = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO room_key_backup_versions (user_id, version, algorithm, auth_data) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, userId);
                ps.setLong(2, version);
                ps.setString(3, algorithm);
                ps.setString(4, authData);
                ps.executeUpdate();
            }
            return version;
        });
    }

    /** The user's current (newest) backup version. */
    public Optional<Version> current(String userId) {
        return Transactions.withConnection(dataSource, c -> version(c, userId, null));
    }

    /** One of the user's backup versions, if it exists. */
    public Optional<Version> version(String userId, long version) {
        return Transactions.withConnection(dataSource, c -> version(c, userId, version));
    }

    private static Optional<Version> version(Connection c, String userId, Long version) throws SQLException {
        String sql = "SELECT version, algorithm, auth_data, etag, key_count FROM room_key_backup_versions WHERE user_id = ?"
                + (version == null ? " ORDER BY version DESC LIMIT 1" : " AND version = ?");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, userId);
            if (version != null) {
                ps.setLong(2, version);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Version(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getLong(4), rs.getLong(5))) : Optional.empty();
            }
        }
    }

    /** Replaces a version's auth data; its algorithm must stay the same. */
    public VersionUpdate update(String userId, long version, String algorithm, String authData) {
        return Transactions.inTransaction(dataSource, c -> {
            if (lockUser(c, userId).isEmpty()) {
                return VersionUpdate.NOT_FOUND;
            }
            Optional<Version> existing = version(c, userId, version);
            if (existing.isEmpty()) {
                return VersionUpdate.NOT_FOUND;
            }
            if (!existing.get().algorithm().equals(algorithm)) {
                return VersionUpdate.ALGORITHM_MISMATCH;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE room_key_backup_versions SET auth_data = ? WHERE user_id = ? AND version = ?")) {
                ps.setString(1, authData);
                ps.setString(2, userId);
                ps.setLong(3, version);
                ps.executeUpdate();
            }
            return VersionUpdate.UPDATED;
        });
    }

    /**
     * Deletes a version and its keys; true also when it was deleted before (its number was given
     * out), false when it never existed.
     */
    public boolean deleteVersion(String userId, long version) {
        return Transactions.inTransaction(dataSource, c -> {
            OptionalLong last = lockUser(c, userId);
            if (last.isEmpty() || version < 1 || version > last.getAsLong()) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM room_key_backup_versions WHERE user_id = ? AND version = ?")) {
                ps.setString(1, userId);
                ps.setLong(2, version);
                ps.executeUpdate();
            }
            return true;
        });
    }

    /** Deletes every backup of the user (account deactivation). */
    public void deleteAll(String userId) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM room_key_backup_users WHERE user_id = ?")) {
                ps.setString(1, userId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Uploads session keys to {@code version}, which must be the current one. A session not in
     * the backup is added; one that is replaces the stored key only where {@code replaces} says
     * (new key, stored key). The etag moves when anything changed.
     */
    public KeysWrite upload(String userId, long version, List<RoomSession> sessions,
                            BiPredicate<SessionKey, SessionKey> replaces) {
        return Transactions.inTransaction(dataSource, c -> {
            Optional<KeysWrite> refusal = writableCurrent(c, userId, version);
            if (refusal.isPresent()) {
                return refusal.get();
            }
            Map<List<String>, SessionKey> stored = stored(c, userId, version, sessions);
            List<RoomSession> writes = new ArrayList<>();
            int added = 0;
            for (RoomSession s : sessions) {
                SessionKey old = stored.get(List.of(s.roomId(), s.sessionId()));
                if (old == null) {
                    added++;
                    writes.add(s);
                } else if (replaces.test(s.key(), old)) {
                    writes.add(s);
                }
            }
            write(c, userId, version, writes);
            return bump(c, userId, version, !writes.isEmpty(), added);
        });
    }

    /**
     * Deletes keys of {@code version} (any version that exists): all of them, a room's
     * ({@code sessionId} null) or one session's. The etag moves, as Synapse moves it, whatever was deleted.
     */
    public KeysWrite deleteKeys(String userId, long version, String roomId, String sessionId) {
        return Transactions.inTransaction(dataSource, c -> {
            if (lockUser(c, userId).isEmpty() || version(c, userId, version).isEmpty()) {
                return NOT_FOUND;
            }
            String sql = "DELETE FROM room_key_backup_keys WHERE user_id = ? AND version = ?"
                    + (roomId == null ? "" : " AND room_id = ?") + (sessionId == null ? "" : " AND session_id = ?");
            int deleted;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, userId);
                ps.setLong(2, version);
                if (roomId != null) {
                    ps.setString(3, roomId);
                }
                if (sessionId != null) {
                    ps.setString(4, sessionId);
                }
                deleted = ps.executeUpdate();
            }
            return bump(c, userId, version, true, -deleted);
        });
    }

    /**
     * The keys of {@code version}: all, a room's ({@code sessionId} null) or one session's; empty
     * when the version does not exist.
     */
    public Optional<List<RoomSession>> keys(String userId, long version, String roomId, String sessionId) {
        return Transactions.withConnection(dataSource, c -> {
            if (version(c, userId, version).isEmpty()) {
                return Optional.empty();
            }
            String sql = "SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data "
                    + "FROM room_key_backup_keys WHERE user_id = ? AND version = ?"
                    + (roomId == null ? "" : " AND room_id = ?") + (sessionId == null ? "" : " AND session_id = ?")
                    + " ORDER BY room_id, session_id";
            List<RoomSession> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, userId);
                ps.setLong(2, version);
                if (roomId != null) {
                    ps.setString(3, roomId);
                }
                if (sessionId != null) {
                    ps.setString(4, sessionId);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(new RoomSession(rs.getString(1), rs.getString(2), new SessionKey(rs.getLong(3),
                                rs.getLong(4), rs.getBoolean(5), rs.getString(6))));
                    }
                }
            }
            return Optional.of(found);
        });
    }

    /** Locks the user's backups; their last version number, empty if they never had a backup. */
    private static OptionalLong lockUser(Connection c, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT last_version FROM room_key_backup_users WHERE user_id = ? FOR UPDATE")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Locks the user's backups; empty when {@code version} is the current one, else why not. */
    private static Optional<KeysWrite> writableCurrent(Connection c, String userId, long version) throws SQLException {
        if (lockUser(c, userId).isEmpty()) {
            return Optional.of(NOT_FOUND);
        }
        Optional<Version> current = version(c, userId, null);
        if (current.isEmpty()) {
            return Optional.of(NOT_FOUND);
        }
        if (current.get().version() == version) {
            return Optional.empty();
        }
        return Optional.of(version(c, userId, version).isPresent()
                ? new KeysWrite.WrongVersion(current.get().version()) : NOT_FOUND);
    }

    private static Map<List<String>, SessionKey> stored(Connection c, String userId, long version,
                                                        List<RoomSession> sessions) throws SQLException {
        Map<List<String>, SessionKey> stored = new HashMap<>();
        if (sessions.isEmpty()) {
            return stored;
        }
        String[] rooms = new String[sessions.size()];
        String[] ids = new String[sessions.size()];
        for (int i = 0; i < rooms.length; i++) {
            rooms[i] = sessions.get(i).roomId();
            ids[i] = sessions.get(i).sessionId();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT k.room_id, k.session_id, k.first_message_index, k.forwarded_count, k.is_verified
                FROM room_key_backup_keys k JOIN unnest(?::text[], ?::text[]) AS u(room_id, session_id)
                  ON k.room_id = u.room_id AND k.session_id = u.session_id
                WHERE k.user_id = ? AND k.version = ?""")) {
            ps.setArray(1, c.createArrayOf("text", rooms));
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.setString(3, userId);
            ps.setLong(4, version);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(List.of(rs.getString(1), rs.getString(2)),
                            new SessionKey(rs.getLong(3), rs.getLong(4), rs.getBoolean(5), null));
                }
            }
        }
        return stored;
    }

    private static void write(Connection c, String userId, long version, List<RoomSession> writes) throws SQLException {
        if (writes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO room_key_backup_keys (user_id, version, room_id, session_id, first_message_index,
                    forwarded_count, is_verified, session_data)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id, version, room_id, session_id) DO UPDATE SET
                    first_message_index = EXCLUDED.first_message_index, forwarded_count = EXCLUDED.forwarded_count,
                    is_verified = EXCLUDED.is_verified, session_data = EXCLUDED.session_data""")) {
            for (RoomSession s : writes) {
                ps.setString(1, userId);
                ps.setLong(2, version);
                ps.setString(3, s.roomId());
                ps.setString(4, s.sessionId());
                ps.setLong(5, s.key().firstMessageIndex());
                ps.setLong(6, s.key().forwardedCount());
                ps.setBoolean(7, s.key().verified());
                ps.setString(8, s.key().sessionData());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Moves the etag (when {@code changed}) and the count by {@code added}; the version's state after. */
    private static KeysWrite bump(Connection c, String userId, long version, boolean changed, int added)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE room_key_backup_versions SET etag = etag + ?, key_count = key_count + ?
                WHERE user_id = ? AND version = ? RETURNING etag, key_count""")) {
            ps.setInt(1, changed ? 1 : 0);
            ps.setInt(2, added);
            ps.setString(3, userId);
            ps.setLong(4, version);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StorageException("backup version " + version + " of " + userId + " vanished");
                }
                return new KeysWrite.Done(rs.getLong(1), rs.getLong(2));
            }
        }
    }
}
