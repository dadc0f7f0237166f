package org.myelin.storage.search;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Full-text search of room events (client-server API, "Server Side Search"), with PostgreSQL's
 * text search and its English configuration, as Synapse does on PostgreSQL: the body of
 * messages, the name and the topic of rooms. Only events with a place in the timeline that were
 * neither rejected nor soft-failed are found; who may see them is the caller's to check.
 *
 * <p>Words are looked up in the {@code events_search} index (migration V0007), over the text
 * {@code event_search_text} takes from each event; the query repeats that expression so that
 * PostgreSQL uses the index.
 */
public final class EventSearchRepository {

    /** Where the searchable text of each event type lives in its content. */
    public enum Key {
        BODY("content.body", "m.room.message"),
        NAME("content.name", "m.room.name"),
        TOPIC("content.topic", "m.room.topic");

        public final String wire;
        /** The event type whose text this is; {@code event_search_text} (V0007) says where it lives. */
        final String type;

        Key(String wire, String type) {
            this.wire = wire;
            this.type = type;
        }

        /** The key a request names ({@code content.body} …), if it is one. */
        public static java.util.Optional<Key> of(String wire) {
            return java.util.Arrays.stream(values()).filter(k -> k.wire.equals(wire)).findFirst();
        }
    }

    /**
     * The text-search vector of an event {@code e}: the expression of the {@code events_search}
     * index, which a query must repeat exactly for PostgreSQL to use the index.
     */
    public static final String VECTOR = "to_tsvector('english', event_search_text(e.type, e.json))";

    /** One event found, with its rank (higher is better). */
    public record Hit(String eventId, String roomId, double rank) {
    }

    /** A page of hits and the number of all of them. */
    public record Hits(List<Hit> hits, long count) {
    }

    private final DataSource dataSource;

    public EventSearchRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The events of {@code roomIds} whose text under {@code keys} matches {@code term} (web-search
     * syntax: words, "phrases", -excluded), best first or newest first, from {@code offset}.
     */
    public Hits search(List<String> roomIds, List<Key> keys, String term, boolean newestFirst, int limit, int offset) {
        if (roomIds.isEmpty() || keys.isEmpty()) {
            return new Hits(List.of(), 0);
        }
        List<String> types = keys.stream().map(k -> k.type).toList();
        String sql = "SELECT e.event_id, e.room_id, ts_rank_cd(" + VECTOR + ", q) AS rank, count(*) OVER () AS total "
                + "FROM events e CROSS JOIN websearch_to_tsquery('english', ?) q "
                + "WHERE " + VECTOR + " @@ q "
                + "AND e.room_id = ANY(?) AND e.type = ANY(?) AND e.stream_ordering IS NOT NULL "
                + "AND e.rejected_reason IS NULL AND NOT e.soft_failed "
                + (newestFirst ? "ORDER BY e.stream_ordering DESC " : "ORDER BY rank DESC, e.stream_ordering DESC ")
                + "LIMIT ? OFFSET ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, term);
            ps.setArray(2, c.createArrayOf("text", roomIds.toArray()));
            ps.setArray(3, c.createArrayOf("text", types.toArray()));
            ps.setInt(4, limit);
            ps.setInt(5, offset);
            List<Hit> hits = new ArrayList<>();
            long total = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hits.add(new Hit(rs.getString(1), rs.getString(2), rs.getDouble(3)));
                    total = rs.getLong(4);
                }
            }
            return new Hits(hits, total); // 0 past the last page: the window counts only rows it returns
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
