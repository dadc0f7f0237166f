package org.myelin.storage.events;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL that writes many outliers at once (the state and auth chain of a room joined through
 * another server: thousands of events): each chunk of {@value #CHUNK} events is one multi-row
 * insert, and the edges of the whole batch one statement per table, so ten thousand events cost
 * a few dozen round trips instead of several each. Outliers have no timeline position and no
 * state, so nothing else is written.
 */
final class OutlierWrites {

    /** Events per insert: bounds the size of one statement's arrays (canonical JSON included). */
    static final int CHUNK = 1000;

    private OutlierWrites() {
    }

    /** Writes {@code requests} (all outliers) inside the caller's transaction; one result each, in order. */
    static List<PersistedEvent> write(Connection c, List<PersistRequest> requests) throws SQLException {
        Map<String, Long> inserted = new HashMap<>();
        for (int from = 0; from < requests.size(); from += CHUNK) {
            inserted.putAll(EventRows.insert(c, requests.subList(from, Math.min(requests.size(), from + CHUNK)), null));
        }
        List<String> known = new ArrayList<>();
        for (PersistRequest r : requests) {
            if (!inserted.containsKey(r.pdu().eventId())) {
                known.add(r.pdu().eventId());
            }
        }
        Map<String, Long> existing = known.isEmpty() ? Map.of() : existingNids(c, known);
        EventEdges edges = new EventEdges();
        List<PersistedEvent> done = new ArrayList<>(requests.size());
        for (PersistRequest r : requests) {
            Long nid = inserted.get(r.pdu().eventId());
            if (nid != null) {
                edges.add(nid, r.pdu());
                done.add(new PersistedEvent(nid, r.pdu(), null, false, false));
            } else {
                done.add(new PersistedEvent(existing.getOrDefault(r.pdu().eventId(), 0L), r.pdu(), null, false, true));
            }
        }
        edges.write(c);
        return done;
    }

    private static Map<String, Long> existingNids(Connection c, List<String> eventIds) throws SQLException {
        Map<String, Long> nids = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT event_id, event_nid FROM events WHERE event_id = ANY(?)")) {
            Array array = c.createArrayOf("text", eventIds.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    nids.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return nids;
    }
}
