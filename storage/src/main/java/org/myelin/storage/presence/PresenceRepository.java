package org.myelin.storage.presence;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Users' latest explicit presence, each at its position on the presence stream (client-server
 * API, "Presence"). Positions come from a {@link PositionAllocator}, so they only grow.
 */
public final class PresenceRepository {

    /**
     * A user's presence as last set.
     *
     * @param state    {@code online}, {@code unavailable} or {@code offline}
     * @param streamId the position of this change on the presence stream
     */
    public record StoredPresence(String userId, String state, String statusMsg, long lastActiveTs, long lastSyncTs,
                                 long streamId) {
    }

    /**
     * Takes the next position of the presence stream inside the transaction that stores the
     * change, so that positions commit in the order they are taken.
     */
    @FunctionalInterface
    public interface PositionAllocator {

        /** This table's own sequence. */
        PositionAllocator SEQUENCE = c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT nextval('presence_stream')");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        };

        long next(Connection c) throws SQLException;
    }

    private static final String COLUMNS = "user_id, state, status_msg, last_active_ts, last_sync_ts, stream_id";

    private final DataSource dataSource;
    private final PositionAllocator positions;

    /** Positions from this table's own sequence. */
    public PresenceRepository(DataSource dataSource) {
        this(dataSource, PositionAllocator.SEQUENCE);
    }

    /** Positions from {@code positions}, such as a stream counter shared with /sync. */
    public PresenceRepository(DataSource dataSource, PositionAllocator positions) {
        this.dataSource = dataSource;
        this.positions = positions;
    }

    public Optional<StoredPresence> find(String userId) {
        List<StoredPresence> found = query("SELECT " + COLUMNS + " FROM presence WHERE user_id = ?",
                ps -> ps.setString(1, userId));
        return found.stream().findFirst();
    }

    /** Stores a change at the next position of the stream; returns it as stored. */
    public StoredPresence save(String userId, String state, String statusMsg, long lastActiveTs, long lastSyncTs) {
        return Transactions.inTransaction(dataSource, c -> {
            long position = positions.next(c);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO presence (" + COLUMNS + ") "
                    + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
                    + "state = EXCLUDED.state, status_msg = EXCLUDED.status_msg, "
                    + "last_active_ts = EXCLUDED.last_active_ts, last_sync_ts = EXCLUDED.last_sync_ts, "
                    + "stream_id = EXCLUDED.stream_id")) {
                ps.setString(1, userId);
                ps.setString(2, state);
                ps.setString(3, statusMsg);
                ps.setLong(4, lastActiveTs);
                ps.setLong(5, lastSyncTs);
                ps.setLong(6, position);
                ps.executeUpdate();
            }
            return new StoredPresence(userId, state, statusMsg, lastActiveTs, lastSyncTs, position);
        });
    }

    /** The latest changes of {@code users} after position {@code after}, oldest first. */
    public List<StoredPresence> since(long after, Collection<String> users) {
        return between(after, Long.MAX_VALUE, users);
    }

    /** The latest changes of {@code users} at positions in ({@code after}, {@code upTo}], oldest first. */
    public List<StoredPresence> between(long after, long upTo, Collection<String> users) {
        if (users.isEmpty()) {
            return List.of();
        }
        return query("SELECT " + COLUMNS + " FROM presence WHERE stream_id > ? AND stream_id <= ? AND user_id = ANY(?) "
                        + "ORDER BY stream_id",
                ps -> {
                    ps.setLong(1, after);
                    ps.setLong(2, upTo);
                    ps.setArray(3, ps.getConnection().createArrayOf("text", users.toArray()));
                });
    }

    /** The position of the latest change, 0 before any. */
    public long position() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(stream_id), 0) FROM presence");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<StoredPresence> query(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<StoredPresence> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new StoredPresence(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
