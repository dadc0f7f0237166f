package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;

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

    private static final String INSERT = """
            INSERT INTO events (event_id, room_id, room_version, type, state_key, sender, depth, origin_server_ts,
                                outlier, rejected_reason, redacts, json)
            SELECT u.event_id, u.room_id, u.room_version, u.type, u.state_key, u.sender, u.depth, u.ts, TRUE,
                   u.rejected_reason, u.redacts, u.json
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
                        ?::text[], ?::text[], ?::bytea[])
                 AS u(event_id, room_id, room_version, type, state_key, sender, depth, ts, rejected_reason, redacts, json)
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id, event_nid
            """;

    private OutlierWrites() {
    }

    /** Writes {@code requests} (all outliers) inside the caller's transaction; one result each, in order. */
    static List<PersistedEvent> write(Connection c, List<PersistRequest> requests) throws SQLException {
        Map<String, Long> inserted = new HashMap<>();
        for (int from = 0; from < requests.size(); from += CHUNK) {
            insertChunk(c, requests.subList(from, Math.min(requests.size(), from + CHUNK)), inserted);
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

    private static void insertChunk(Connection c, List<PersistRequest> chunk, Map<String, Long> inserted)
            throws SQLException {
        int n = chunk.size();
        String[] ids = new String[n];
        String[] rooms = new String[n];
        String[] versions = new String[n];
        String[] types = new String[n];
        String[] stateKeys = new String[n];
        String[] senders = new String[n];
        Long[] depths = new Long[n];
        Long[] timestamps = new Long[n];
        String[] rejected = new String[n];
        String[] redacts = new String[n];
        byte[][] json = new byte[n][];
        for (int i = 0; i < n; i++) {
            PersistRequest r = chunk.get(i);
            Pdu pdu = r.pdu();
            ids[i] = pdu.eventId();
            rooms[i] = pdu.roomId();
            versions[i] = pdu.roomVersion().id();
            types[i] = pdu.type();
            stateKeys[i] = pdu.stateKey();
            senders[i] = pdu.sender();
            depths[i] = pdu.depth();
            timestamps[i] = pdu.originServerTs();
            rejected[i] = r.rejectedReason();
            redacts[i] = pdu.redacts();
            json[i] = pdu.canonicalBytes();
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            Object[][] columns = {ids, rooms, versions, types, stateKeys, senders};
            int index = 1;
            for (Object[] column : columns) {
                ps.setArray(index++, c.createArrayOf("text", column));
            }
            ps.setArray(index++, c.createArrayOf("bigint", depths));
            ps.setArray(index++, c.createArrayOf("bigint", timestamps));
            ps.setArray(index++, c.createArrayOf("text", rejected));
            ps.setArray(index++, c.createArrayOf("text", redacts));
            ps.setArray(index, c.createArrayOf("bytea", json));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
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
