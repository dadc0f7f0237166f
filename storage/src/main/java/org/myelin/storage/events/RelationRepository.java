package org.myelin.storage.events;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reads of relations between events ({@code event_relations}, {@code room_threads}; client-server
 * API, "Forming relationships between events", "Threading"): a parent's children page by page
 * ({@code /relations}), the aggregations of a page of parents in one statement, a room's threads
 * newest first ({@code /threads}). Only relations of events clients may see are stored, so none
 * of these reads need the events' flags.
 *
 * <p>Positions are those of the timeline ({@link TimelineRepository}): forwards from {@code p}
 * come children with ordering {@code > p}, backwards those with ordering {@code <= p}.
 */
public final class RelationRepository {

    /** The relation types whose children are bundled with their parent (annotations are not, spec v1.7). */
    public static final List<String> BUNDLED = List.of("m.replace", "m.thread", "m.reference");
    /** How many levels of relations a recursive page follows (and says it did), as Synapse. */
    public static final int RECURSION_DEPTH = 3;

    private static final String COLUMNS = "e.event_nid, e.room_version, e.stream_ordering, e.outlier, e.soft_failed, "
            + "e.rejected_reason, e.json";

    /** Edits by the parent's sender of the parent's type (latest first), threads, references: one statement. */
    private static final String AGGREGATE = """
            (SELECT DISTINCT ON (r.relates_to_id) 'm.replace', r.relates_to_id, r.event_id, 0::bigint, FALSE
             FROM event_relations r
             JOIN events o ON o.event_id = r.relates_to_id AND o.room_id = r.room_id AND o.sender = r.sender
                          AND o.type = r.type
             JOIN events edit ON edit.event_id = r.event_id
             WHERE r.relates_to_id = ANY(?) AND r.room_id = ? AND r.rel_type = 'm.replace'
             ORDER BY r.relates_to_id, edit.origin_server_ts DESC, r.event_id DESC)
            UNION ALL
            (SELECT DISTINCT ON (r.relates_to_id) 'm.thread', r.relates_to_id, r.event_id, count(*) OVER w,
                    bool_or(r.sender = ?) OVER w
             FROM event_relations r
             WHERE r.relates_to_id = ANY(?) AND r.room_id = ? AND r.rel_type = 'm.thread'
             WINDOW w AS (PARTITION BY r.relates_to_id)
             ORDER BY r.relates_to_id, r.stream_ordering DESC)
            UNION ALL
            (SELECT 'm.reference', r.relates_to_id, r.event_id, r.stream_ordering, FALSE
             FROM event_relations r
             WHERE r.relates_to_id = ANY(?) AND r.room_id = ? AND r.rel_type = 'm.reference')
            """;

    /** A thread's summary: how many replies, the latest, whether the asking user sent one. */
    public record ThreadSummary(long count, String latestEventId, boolean userReplied) {
    }

    /**
     * What is bundled with a page of parents, by parent id.
     *
     * @param edits      the latest edit by the parent's sender, of the parent's type
     * @param threads    the thread each parent is the root of
     * @param references the events referencing each parent, oldest first
     */
    public record Aggregates(Map<String, String> edits, Map<String, ThreadSummary> threads,
                             Map<String, List<String>> references) {
        public static final Aggregates NONE = new Aggregates(Map.of(), Map.of(), Map.of());
    }

    /**
     * A page of a parent's children.
     *
     * @param relType   only children of this relation type, or null
     * @param eventType only children of this event type, or null
     * @param from      the position to start at (null: the end backwards, the start forwards)
     * @param to        the position not to pass, or null
     * @param limit     how many at most
     * @param recurse   children of children too, {@link #RECURSION_DEPTH} levels down
     * @param noEdits   leave out the parent's edits (those of a redacted parent, whose content they would leak)
     */
    public record ChildrenQuery(String roomId, String parentId, String relType, String eventType, Long from, Long to,
                                int limit, boolean backwards, boolean recurse, boolean noEdits) {
    }

    private final DataSource dataSource;

    public RelationRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The events of {@code roomId} that have children of a bundled type. */
    /** {@link #parentsIn(String)} of many rooms in one statement, by room id (rooms without any absent). */
    public Map<String, Set<String>> parentsIn(Collection<String> roomIds) {
        Map<String, Set<String>> parents = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT room_id, relates_to_id FROM event_relations WHERE room_id = ANY(?) AND rel_type = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", roomIds.toArray()));
            ps.setArray(2, c.createArrayOf("text", BUNDLED.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    parents.computeIfAbsent(rs.getString(1), r -> new HashSet<>()).add(rs.getString(2));
                }
            }
            return parents;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public Set<String> parentsIn(String roomId) {
        Set<String> parents = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT relates_to_id FROM event_relations WHERE room_id = ? AND rel_type = ANY(?)")) {
            ps.setString(1, roomId);
            ps.setArray(2, c.createArrayOf("text", BUNDLED.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    parents.add(rs.getString(1));
                }
            }
            return parents;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The aggregations of {@code parentIds} (all of {@code roomId}) as {@code userId} sees them. */
    public Aggregates aggregate(String roomId, Collection<String> parentIds, String userId) {
        if (parentIds.isEmpty()) {
            return Aggregates.NONE;
        }
        Map<String, String> edits = new HashMap<>();
        Map<String, ThreadSummary> threads = new HashMap<>();
        Map<String, List<String>> references = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(AGGREGATE)) {
            java.sql.Array ids = c.createArrayOf("text", parentIds.toArray());
            ps.setArray(1, ids);
            ps.setString(2, roomId);
            ps.setString(3, userId);
            ps.setArray(4, ids);
            ps.setString(5, roomId);
            ps.setArray(6, ids);
            ps.setString(7, roomId);
            List<String[]> refs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String parent = rs.getString(2);
                    String child = rs.getString(3);
                    switch (rs.getString(1)) {
                        case "m.replace" -> edits.put(parent, child);
                        case "m.thread" -> threads.put(parent, new ThreadSummary(rs.getLong(4), child, rs.getBoolean(5)));
                        default -> refs.add(new String[] {parent, child, Long.toString(rs.getLong(4))});
                    }
                }
            }
            refs.sort(java.util.Comparator.comparingLong(r -> Long.parseLong(r[2])));
            for (String[] r : refs) {
                references.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]);
            }
            return new Aggregates(edits, threads, references);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Up to {@code q.limit()} children of the parent, in the order of travel. */
    public List<StoredEvent> children(ChildrenQuery q) {
        StringBuilder sql = new StringBuilder();
        List<Object> args = new ArrayList<>();
        if (q.recurse()) {
            sql.append("""
                    WITH RECURSIVE related (event_id, depth) AS (
                        SELECT event_id, 1 FROM event_relations WHERE relates_to_id = ? AND room_id = ?
                        UNION
                        SELECT c.event_id, p.depth + 1 FROM event_relations c JOIN related p ON c.relates_to_id = p.event_id
                        WHERE p.depth < ? AND c.room_id = ?)
                    SELECT\s""").append(COLUMNS).append("""
                     FROM event_relations r JOIN events e ON e.event_id = r.event_id
                    WHERE r.event_id IN (SELECT event_id FROM related)""");
            args.add(q.parentId());
            args.add(q.roomId());
            args.add(RECURSION_DEPTH);
            args.add(q.roomId());
        } else {
            sql.append("SELECT ").append(COLUMNS).append("""
                     FROM event_relations r JOIN events e ON e.event_id = r.event_id
                    WHERE r.relates_to_id = ? AND r.room_id = ?""");
            args.add(q.parentId());
            args.add(q.roomId());
        }
        if (q.relType() != null) {
            sql.append(" AND r.rel_type = ?");
            args.add(q.relType());
        }
        if (q.eventType() != null) {
            sql.append(" AND r.type = ?");
            args.add(q.eventType());
        }
        if (q.noEdits()) {
            sql.append(" AND NOT (r.rel_type = 'm.replace' AND r.relates_to_id = ?)");
            args.add(q.parentId());
        }
        if (q.from() != null) {
            sql.append(q.backwards() ? " AND r.stream_ordering <= ?" : " AND r.stream_ordering > ?");
            args.add(q.from());
        }
        if (q.to() != null) {
            sql.append(q.backwards() ? " AND r.stream_ordering > ?" : " AND r.stream_ordering <= ?");
            args.add(q.to());
        }
        sql.append(q.backwards() ? " ORDER BY r.stream_ordering DESC" : " ORDER BY r.stream_ordering ASC");
        sql.append(" LIMIT ?");
        args.add(q.limit());
        List<StoredEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            bind(ps, args);
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

    /**
     * Up to {@code limit} threads of {@code roomId} whose latest reply is before position
     * {@code before} (null: any), newest activity first, as root id → that reply's position; only
     * those {@code participant} started or replied to when it is not null.
     */
    public LinkedHashMap<String, Long> threads(String roomId, Long before, int limit, String participant) {
        StringBuilder sql = new StringBuilder(
                "SELECT t.thread_id, t.latest_stream_ordering FROM room_threads t WHERE t.room_id = ?");
        List<Object> args = new ArrayList<>();
        args.add(roomId);
        if (before != null) {
            sql.append(" AND t.latest_stream_ordering < ?");
            args.add(before);
        }
        if (participant != null) {
            sql.append("""
                     AND (EXISTS (SELECT 1 FROM event_relations r WHERE r.relates_to_id = t.thread_id
                                    AND r.room_id = t.room_id AND r.rel_type = 'm.thread' AND r.sender = ?)
                          OR EXISTS (SELECT 1 FROM events e WHERE e.event_id = t.thread_id AND e.sender = ?))""");
            args.add(participant);
            args.add(participant);
        }
        sql.append(" ORDER BY t.latest_stream_ordering DESC LIMIT ?");
        args.add(limit);
        LinkedHashMap<String, Long> threads = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    threads.put(rs.getString(1), rs.getLong(2));
                }
            }
            return threads;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Whether {@code eventId} is the root of a thread of {@code roomId}: some visible event replies to it in a thread. */
    public boolean isThreadRoot(String roomId, String eventId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM room_threads WHERE room_id = ? AND thread_id = ?")) {
            ps.setString(1, roomId);
            ps.setString(2, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case String s -> ps.setString(i + 1, s);
                case Long l -> ps.setLong(i + 1, l);
                case Integer n -> ps.setInt(i + 1, n);
                default -> throw new IllegalArgumentException("cannot bind " + args.get(i));
            }
        }
    }
}
