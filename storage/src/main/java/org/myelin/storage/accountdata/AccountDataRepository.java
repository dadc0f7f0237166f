package org.myelin.storage.accountdata;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;
import org.myelin.storage.streams.StreamCounters;
import org.myelin.storage.streams.StreamKind;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Account data (client-server API, "Client Config"): per user, global or per room, one JSON object
 * per type, each with its position in the account data stream. Room tags are the room's
 * {@code m.tag} entry, changed one tag at a time in SQL so that concurrent changes do not lose
 * each other.
 */
public final class AccountDataRepository {

    /** The global scope's room id in the table. */
    private static final String GLOBAL = "";

    /**
     * One entry.
     *
     * @param roomId  the room, or null for global account data
     * @param content the content, as JSON text
     */
    public record Entry(String roomId, String type, String content, long position) {
    }

    private final DataSource dataSource;

    public AccountDataRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Sets an entry ({@code roomId} null for global); returns its stream position. */
    public long put(String userId, String roomId, String type, String contentJson) {
        return write(userId, roomId, type, """
                INSERT INTO account_data (user_id, room_id, type, content, stream_position) VALUES (?, ?, ?, ?::jsonb, ?)
                ON CONFLICT (user_id, room_id, type)
                DO UPDATE SET content = EXCLUDED.content, stream_position = EXCLUDED.stream_position""",
                (ps, position) -> {
                    ps.setString(4, contentJson);
                    ps.setLong(5, position);
                });
    }

    /** The content of an entry, as JSON text. */
    public Optional<String> get(String userId, String roomId, String type) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT content::text FROM account_data WHERE user_id = ? AND room_id = ? AND type = ?")) {
            ps.setString(1, userId);
            ps.setString(2, scope(roomId));
            ps.setString(3, type);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The global entries of {@code type} of those of {@code userIds} that have one, by user. */
    public Map<String, String> getGlobal(Collection<String> userIds, String type) {
        Map<String, String> found = new HashMap<>();
        if (userIds.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, content::text FROM account_data WHERE user_id = ANY(?) AND room_id = ? AND type = ?")) {
            ps.setArray(1, c.createArrayOf("text", userIds.toArray()));
            ps.setString(2, GLOBAL);
            ps.setString(3, type);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getString(2));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The user's entries with positions in ({@code from}, {@code to}], global and per room, in position order. */
    public List<Entry> changed(String userId, long from, long to) {
        List<Entry> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT room_id, type, content::text, stream_position FROM account_data
                WHERE user_id = ? AND stream_position > ? AND stream_position <= ? ORDER BY stream_position""")) {
            ps.setString(1, userId);
            ps.setLong(2, from);
            ps.setLong(3, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String room = rs.getString(1);
                    found.add(new Entry(room.isEmpty() ? null : room, rs.getString(2), rs.getString(3), rs.getLong(4)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Adds or replaces one tag in the room's {@code m.tag} entry; returns its stream position. */
    public long putTag(String userId, String roomId, String tag, String tagContentJson) {
        return write(userId, roomId, "m.tag", """
                INSERT INTO account_data (user_id, room_id, type, content, stream_position)
                VALUES (?, ?, ?, jsonb_build_object('tags', jsonb_build_object(?::text, ?::jsonb)), ?)
                ON CONFLICT (user_id, room_id, type) DO UPDATE SET
                    content = jsonb_set(CASE WHEN jsonb_typeof(account_data.content -> 'tags') = 'object'
                                             THEN account_data.content
                                             ELSE account_data.content || '{"tags": {}}'::jsonb END,
                                        ARRAY['tags', ?::text], ?::jsonb),
                    stream_position = EXCLUDED.stream_position""",
                (ps, position) -> {
                    ps.setString(4, tag);
                    ps.setString(5, tagContentJson);
                    ps.setLong(6, position);
                    ps.setString(7, tag);
                    ps.setString(8, tagContentJson);
                });
    }

    /** Removes one tag from the room's {@code m.tag} entry (if there); returns its stream position. */
    public long removeTag(String userId, String roomId, String tag) {
        return write(userId, roomId, "m.tag", """
                INSERT INTO account_data (user_id, room_id, type, content, stream_position)
                VALUES (?, ?, ?, '{"tags": {}}'::jsonb, ?)
                ON CONFLICT (user_id, room_id, type) DO UPDATE SET
                    content = account_data.content #- ARRAY['tags', ?::text],
                    stream_position = EXCLUDED.stream_position""",
                (ps, position) -> {
                    ps.setLong(4, position);
                    ps.setString(5, tag);
                });
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps, long position) throws SQLException;
    }

    /** Runs an upsert whose first parameters are user, room and type, with a new stream position. */
    private long write(String userId, String roomId, String type, String sql, Binder rest) {
        return Transactions.inTransaction(dataSource, c -> {
            long position = StreamCounters.next(c, StreamKind.ACCOUNT_DATA);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, userId);
                ps.setString(2, scope(roomId));
                ps.setString(3, type);
                rest.bind(ps, position);
                ps.executeUpdate();
            }
            return position;
        });
    }

    private static String scope(String roomId) {
        return roomId == null ? GLOBAL : roomId;
    }
}
