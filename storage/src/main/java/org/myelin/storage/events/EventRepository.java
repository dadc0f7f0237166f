package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.storage.StorageException;

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

/** Reads events: by id, and in timeline order. Writing is {@link EventPersister}'s job. */
public final class EventRepository {

    private static final String COLUMNS =
            "event_nid, room_version, stream_ordering, outlier, soft_failed, rejected_reason, json";

    private final DataSource dataSource;

    public EventRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<StoredEvent> byId(String eventId) {
        return Optional.ofNullable(byIds(List.of(eventId)).get(eventId));
    }

    /** The stored events among {@code eventIds}, keyed by id; unknown ids are absent. */
    public Map<String, StoredEvent> byIds(Collection<String> eventIds) {
        Map<String, StoredEvent> found = new HashMap<>();
        if (eventIds.isEmpty()) {
            return found;
        }
        query("SELECT " + COLUMNS + " FROM events WHERE event_id = ANY(?)", ps -> {
            ps.setArray(1, ps.getConnection().createArrayOf("text", eventIds.toArray()));
        }, e -> found.put(e.eventId(), e));
        return found;
    }

    /**
     * Visible events of a room strictly after {@code from} and at most {@code to} in stream order
     * (or, backwards, strictly before {@code from} and at least {@code to}), at most {@code limit}.
     */
    public List<StoredEvent> timeline(String roomId, long from, long to, int limit, boolean backwards) {
        List<StoredEvent> events = new ArrayList<>();
        String sql = backwards
                ? "SELECT " + COLUMNS + " FROM events WHERE room_id = ? AND stream_ordering < ? AND stream_ordering >= ?"
                  + " AND NOT soft_failed AND rejected_reason IS NULL ORDER BY stream_ordering DESC LIMIT ?"
                : "SELECT " + COLUMNS + " FROM events WHERE room_id = ? AND stream_ordering > ? AND stream_ordering <= ?"
                  + " AND NOT soft_failed AND rejected_reason IS NULL ORDER BY stream_ordering ASC LIMIT ?";
        query(sql, ps -> {
            ps.setString(1, roomId);
            ps.setLong(2, from);
            ps.setLong(3, to);
            ps.setInt(4, limit);
        }, events::add);
        return events;
    }

    /**
     * Up to {@code limit} live events of every room with positions in ({@code after},
     * {@code upTo}], in stream order: the visible ones and the out-of-band memberships (a remote
     * invite, which has a position but no place in the room's graph). What committed while a
     * reader of the whole timeline (the push action recorder) was not looking.
     */
    public List<StoredEvent> live(long after, long upTo, int limit) {
        List<StoredEvent> events = new ArrayList<>();
        query("SELECT " + COLUMNS + " FROM events WHERE stream_ordering > ? AND stream_ordering <= ?"
              + " AND stream_ordering > 0 AND rejected_reason IS NULL"
              + " AND ((NOT outlier AND NOT soft_failed) OR (outlier AND type = 'm.room.member'))"
              + " ORDER BY stream_ordering ASC LIMIT ?", ps -> {
                  ps.setLong(1, after);
                  ps.setLong(2, upTo);
                  ps.setInt(3, limit);
              }, events::add);
        return events;
    }

    /** The highest live stream position committed so far. */
    public long maxStreamOrdering() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(TimelineBounds.EXTREMES);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The snapshot ids of the state after each of {@code eventIds} that has one. */
    public Map<String, Long> stateAfter(Collection<String> eventIds) {
        Map<String, Long> found = new HashMap<>();
        if (eventIds.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT e.event_id, s.after_snapshot FROM events e JOIN event_state s ON s.event_nid = e.event_nid
                WHERE e.event_id = ANY(?)""")) {
            ps.setArray(1, c.createArrayOf("text", eventIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getLong(2));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The snapshot id of the state before {@code eventId}, if it has a place in the graph. */
    public Optional<Long> stateBefore(String eventId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT s.before_snapshot FROM events e JOIN event_state s ON s.event_nid = e.event_nid
                WHERE e.event_id = ?""")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private void query(String sql, Binder binder, java.util.function.Consumer<StoredEvent> sink) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(read(rs));
                }
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    static StoredEvent read(ResultSet rs) throws SQLException {
        String versionId = rs.getString(2);
        RoomVersion version = RoomVersions.find(versionId)
                .orElseThrow(() -> new StorageException("unknown room version in store: " + versionId));
        long ordering = rs.getLong(3);
        Long streamOrdering = rs.wasNull() ? null : ordering;
        Pdu pdu = Pdu.parse(rs.getBytes(7), version);
        return new StoredEvent(rs.getLong(1), pdu, streamOrdering, rs.getBoolean(4), rs.getBoolean(5), rs.getString(6));
    }
}
