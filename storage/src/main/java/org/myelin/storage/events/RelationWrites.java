package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.Relation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The relations of a batch's new visible events ({@code event_relations}, {@code room_threads}),
 * in the batch's transaction: one statement for the rows, one for the threads, one for the
 * relations that the batch's redactions remove. Local and federated events alike, as both are
 * written here. An event already named by an accepted redaction gets no row, whichever of the two
 * arrived first; a redaction removes its target's row whether or not it is later found to apply
 * to the target's content, as Synapse does.
 */
final class RelationWrites {

    private static final String INSERT = """
            INSERT INTO event_relations (event_id, relates_to_id, rel_type, aggregation_key, room_id, sender, type,
                                         stream_ordering)
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                 ?::bigint[]) AS x(event_id, relates_to_id, rel_type, aggregation_key, room_id, sender,
                                                   type, stream_ordering)
            WHERE NOT EXISTS (SELECT 1 FROM events d
                              WHERE d.redacts = x.event_id AND d.room_id = x.room_id AND d.type = 'm.room.redaction'
                                AND d.stream_ordering IS NOT NULL AND NOT d.soft_failed AND d.rejected_reason IS NULL)
            ON CONFLICT (event_id) DO NOTHING
            """;

    private static final String THREADS = """
            INSERT INTO room_threads (room_id, thread_id, latest_event_id, latest_stream_ordering)
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[])
            ON CONFLICT (room_id, thread_id) DO UPDATE SET latest_event_id = EXCLUDED.latest_event_id,
                latest_stream_ordering = EXCLUDED.latest_stream_ordering
            WHERE room_threads.latest_stream_ordering < EXCLUDED.latest_stream_ordering
            """;

    private static final String REDACTED = """
            DELETE FROM event_relations r USING unnest(?::text[], ?::text[]) AS x(event_id, room_id)
            WHERE r.event_id = x.event_id AND r.room_id = x.room_id
            """;

    /** A new event that clients may see, at its position. */
    record Visible(Pdu pdu, long ordering) {
    }

    private RelationWrites() {
    }

    static void write(Connection c, List<Visible> events) throws SQLException {
        List<Visible> related = new ArrayList<>();
        List<Relation> relations = new ArrayList<>();
        List<Pdu> redactions = new ArrayList<>();
        for (Visible v : events) {
            Relation.of(v.pdu()).filter(RelationWrites::storable).ifPresent(r -> {
                related.add(v);
                relations.add(r);
            });
            if (v.pdu().redacts() != null && "m.room.redaction".equals(v.pdu().type())) {
                redactions.add(v.pdu());
            }
        }
        if (!related.isEmpty()) {
            insert(c, related, relations);
        }
        if (!redactions.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(REDACTED)) {
                ps.setArray(1, c.createArrayOf("text", redactions.stream().map(Pdu::redacts).toArray()));
                ps.setArray(2, c.createArrayOf("text", redactions.stream().map(Pdu::roomId).toArray()));
                ps.executeUpdate();
            }
        }
    }

    /** A text column cannot hold U+0000, which no event id or relation type has. */
    private static boolean storable(Relation r) {
        return r.parentId().indexOf('\0') < 0 && r.relType().indexOf('\0') < 0;
    }

    private static void insert(Connection c, List<Visible> related, List<Relation> relations) throws SQLException {
        int n = related.size();
        String[] ids = new String[n];
        String[] parents = new String[n];
        String[] types = new String[n];
        String[] keys = new String[n];
        String[] rooms = new String[n];
        String[] senders = new String[n];
        String[] eventTypes = new String[n];
        Long[] orderings = new Long[n];
        // A thread's latest reply in the batch: the last one, as positions rise through it.
        Map<List<String>, Visible> threads = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Pdu pdu = related.get(i).pdu();
            Relation r = relations.get(i);
            ids[i] = pdu.eventId();
            parents[i] = r.parentId();
            types[i] = r.relType();
            keys[i] = r.aggregationKey() == null ? null : r.aggregationKey().replace('\0', ' ');
            rooms[i] = pdu.roomId();
            senders[i] = pdu.sender();
            eventTypes[i] = pdu.type();
            orderings[i] = related.get(i).ordering();
            if (r.relType().equals(Relation.THREAD)) {
                List<String> key = List.of(pdu.roomId(), r.parentId());
                Visible known = threads.get(key);
                if (known == null || known.ordering() < related.get(i).ordering()) {
                    threads.put(key, related.get(i));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.setArray(2, c.createArrayOf("text", parents));
            ps.setArray(3, c.createArrayOf("text", types));
            ps.setArray(4, c.createArrayOf("text", keys));
            ps.setArray(5, c.createArrayOf("text", rooms));
            ps.setArray(6, c.createArrayOf("text", senders));
            ps.setArray(7, c.createArrayOf("text", eventTypes));
            ps.setArray(8, c.createArrayOf("bigint", orderings));
            ps.executeUpdate();
        }
        if (threads.isEmpty()) {
            return;
        }
        List<String> threadRooms = new ArrayList<>();
        List<String> roots = new ArrayList<>();
        List<String> latest = new ArrayList<>();
        List<Long> latestOrderings = new ArrayList<>();
        threads.forEach((key, v) -> {
            threadRooms.add(key.get(0));
            roots.add(key.get(1));
            latest.add(v.pdu().eventId());
            latestOrderings.add(v.ordering());
        });
        try (PreparedStatement ps = c.prepareStatement(THREADS)) {
            ps.setArray(1, c.createArrayOf("text", threadRooms.toArray()));
            ps.setArray(2, c.createArrayOf("text", roots.toArray()));
            ps.setArray(3, c.createArrayOf("text", latest.toArray()));
            ps.setArray(4, c.createArrayOf("bigint", latestOrderings.toArray()));
            ps.executeUpdate();
        }
    }
}
