package org.myelin.storage.events;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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

/**
 * The reads the client-server API makes of a room's timeline: pages in stream order
 * ({@code /messages}, {@code /context}), the event closest to a time, redactions of events, a
 * user's own membership events. Only visible events count: placed in the timeline (not
 * outliers), neither rejected nor soft-failed.
 *
 * <p>Positions: a position {@code p} lies just after the event with stream ordering {@code p}
 * and before the next. Forwards from {@code p} come the events with ordering {@code > p};
 * backwards from {@code p} those with ordering {@code <= p}. So a page that ends at an event
 * with ordering {@code o} continues from {@code o} forwards and from {@code o - 1} backwards,
 * and paging never skips or repeats an event.
 */
public final class TimelineRepository {

    private static final String COLUMNS =
            "event_nid, room_version, stream_ordering, outlier, soft_failed, rejected_reason, json";
    private static final String VISIBLE =
            " stream_ordering IS NOT NULL AND NOT soft_failed AND rejected_reason IS NULL ";

    private final DataSource dataSource;
    /** Before-snapshot ids by event id: the first events of /sync windows, visibility changes. */
    private final Cache<String, Long> snapshotBefore = Caffeine.newBuilder().recordStats().maximumSize(SNAPSHOTS_BEFORE).build();

    private static final int SNAPSHOTS_BEFORE = 20_000;

    public TimelineRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Up to {@code limit} visible events of the room passing {@code filter}, from position
     * {@code from} in the given direction, not past position {@code to} (null: no bound), in the
     * order of travel.
     */
    public List<StoredEvent> page(String roomId, long from, Long to, int limit, boolean backwards,
                                  TimelineFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM events WHERE room_id = ? AND" + VISIBLE);
        List<Object> args = new ArrayList<>();
        args.add(roomId);
        sql.append(backwards ? " AND stream_ordering <= ?" : " AND stream_ordering > ?");
        args.add(from);
        if (to != null) {
            sql.append(backwards ? " AND stream_ordering > ?" : " AND stream_ordering <= ?");
            args.add(to);
        }
        if (!appendFilter(sql, args, filter)) {
            return List.of();
        }
        sql.append(backwards ? " ORDER BY stream_ordering DESC" : " ORDER BY stream_ordering ASC").append(" LIMIT ?");
        args.add(limit);
        return query(sql.toString(), args);
    }

    /** The latest visible event of the room at or before position {@code position}. */
    public Optional<StoredEvent> latestAt(String roomId, long position) {
        return query("SELECT " + COLUMNS + " FROM events WHERE room_id = ? AND" + VISIBLE
                + " AND stream_ordering <= ? ORDER BY stream_ordering DESC LIMIT 1", List.of(roomId, position))
                .stream().findFirst();
    }

    /**
     * The visible event of the room closest to {@code ts} (inclusive) in the direction given: the
     * first at or after it, or (backwards) the last at or before it. Events of the same time are
     * told apart as Synapse does ({@code get_event_id_for_timestamp}): by depth, the one that
     * logically comes next in the direction, then by stream ordering.
     */
    public Optional<StoredEvent> closestTo(String roomId, long ts, boolean backwards) {
        String sql = "SELECT " + COLUMNS + " FROM events WHERE room_id = ? AND" + VISIBLE
                + (backwards
                ? " AND origin_server_ts <= ? ORDER BY origin_server_ts DESC, depth DESC, stream_ordering DESC LIMIT 1"
                : " AND origin_server_ts >= ? ORDER BY origin_server_ts ASC, depth ASC, stream_ordering ASC LIMIT 1");
        return query(sql, List.of(roomId, ts)).stream().findFirst();
    }

    /** The visible redaction events of the room that name one of {@code eventIds}, oldest first. */
    public List<StoredEvent> redactionsOf(String roomId, Collection<String> eventIds) {
        if (eventIds.isEmpty()) {
            return List.of();
        }
        return query("SELECT " + COLUMNS + " FROM events WHERE room_id = ? AND redacts = ANY(?) AND" + VISIBLE
                + " AND type = 'm.room.redaction' ORDER BY stream_ordering", List.of(roomId, eventIds));
    }

    /** The visible state events of the room with this type and state key, oldest first. */
    public List<StoredEvent> stateEvents(String roomId, String type, String stateKey) {
        return query("SELECT " + COLUMNS + " FROM events WHERE room_id = ? AND type = ? AND state_key = ? AND"
                + VISIBLE + " ORDER BY stream_ordering", List.of(roomId, type, stateKey));
    }

    /**
     * The snapshot id of the state before each of {@code eventIds} that has a place in the graph.
     * Remembered once read: an event's state before it is written with the event and never changes.
     */
    public Map<String, Long> stateBefore(Collection<String> eventIds) {
        Map<String, Long> found = new HashMap<>(snapshotBefore.getAllPresent(eventIds));
        List<String> unknown = eventIds.stream().filter(id -> !found.containsKey(id)).toList();
        if (unknown.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT e.event_id, s.before_snapshot FROM events e JOIN event_state s ON s.event_nid = e.event_nid
                WHERE e.event_id = ANY(?)""")) {
            ps.setArray(1, c.createArrayOf("text", unknown.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getLong(2));
                    snapshotBefore.put(rs.getString(1), rs.getLong(2));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * For each stored state event of {@code eventIds} that has a place in the graph, the event it
     * replaced: the entry at its own type and state key in the state before it (empty when it
     * replaced nothing); other events are absent. One statement for all of them, whatever their
     * rooms: each event's snapshot chain is walked only as far as the nearest snapshot naming that key.
     */
    public Map<String, Optional<String>> replacedState(Collection<String> eventIds) {
        Map<String, Optional<String>> found = new HashMap<>();
        if (eventIds.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                WITH RECURSIVE asked AS (
                    SELECT e.event_id, e.type, e.state_key, s.before_snapshot
                    FROM events e JOIN event_state s ON s.event_nid = e.event_nid
                    WHERE e.event_id = ANY(?) AND e.state_key IS NOT NULL
                ), chain (event_id, type, state_key, snapshot_id, parent_id, hops) AS (
                    SELECT a.event_id, a.type, a.state_key, ss.snapshot_id, ss.parent_id, 0
                    FROM asked a JOIN state_snapshots ss ON ss.snapshot_id = a.before_snapshot
                    UNION ALL
                    SELECT c.event_id, c.type, c.state_key, ss.snapshot_id, ss.parent_id, c.hops + 1
                    FROM chain c JOIN state_snapshots ss ON ss.snapshot_id = c.parent_id
                    WHERE NOT EXISTS (SELECT 1 FROM state_snapshot_entries x WHERE x.snapshot_id = c.snapshot_id
                                      AND x.type = c.type AND x.state_key = c.state_key)
                )
                SELECT a.event_id, r.replaced FROM asked a LEFT JOIN (
                    SELECT DISTINCT ON (c.event_id) c.event_id, x.event_id AS replaced
                    FROM chain c JOIN state_snapshot_entries x
                      ON x.snapshot_id = c.snapshot_id AND x.type = c.type AND x.state_key = c.state_key
                    ORDER BY c.event_id, c.hops) r ON r.event_id = a.event_id""")) {
            ps.setArray(1, c.createArrayOf("text", eventIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), Optional.ofNullable(rs.getString(2)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Adds the filter's conditions; false if the filter matches nothing at all. */
    private static boolean appendFilter(StringBuilder sql, List<Object> args, TimelineFilter filter) {
        if (filter.types() != null) {
            if (filter.types().isEmpty()) {
                return false;
            }
            sql.append(" AND type LIKE ANY(?)");
            args.add(filter.types().stream().map(TimelineFilter::likePattern).toList());
        }
        if (filter.notTypes() != null && !filter.notTypes().isEmpty()) {
            sql.append(" AND NOT (type LIKE ANY(?))");
            args.add(filter.notTypes().stream().map(TimelineFilter::likePattern).toList());
        }
        if (filter.senders() != null) {
            if (filter.senders().isEmpty()) {
                return false;
            }
            sql.append(" AND sender = ANY(?)");
            args.add(filter.senders());
        }
        if (filter.notSenders() != null && !filter.notSenders().isEmpty()) {
            sql.append(" AND NOT (sender = ANY(?))");
            args.add(filter.notSenders());
        }
        return true;
    }

    private List<StoredEvent> query(String sql, List<?> args) {
        List<StoredEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                Object arg = args.get(i);
                switch (arg) {
                    case String s -> ps.setString(i + 1, s);
                    case Long l -> ps.setLong(i + 1, l);
                    case Integer n -> ps.setInt(i + 1, n);
                    case Collection<?> list -> ps.setArray(i + 1, c.createArrayOf("text", list.toArray()));
                    default -> throw new IllegalArgumentException("cannot bind " + arg);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(EventRepository.read(rs));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("snapshots_before", snapshotBefore);
    }
}
