package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one statement that inserts rows of {@code events}: many at once, one array per column
 * ({@code unnest}), so a batch costs one round trip whatever its size. Live events of a commit
 * and the outliers of a joined room's state both go through it.
 */
final class EventRows {

    private static final String INSERT = """
            INSERT INTO events (event_id, room_id, room_version, type, state_key, sender, depth, origin_server_ts,
                                stream_ordering, outlier, soft_failed, rejected_reason, redacts, json)
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[],
                                 ?::bigint[], ?::bigint[], ?::boolean[], ?::boolean[], ?::text[], ?::text[],
                                 ?::bytea[])
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id, event_nid
            """;

    private EventRows() {
    }

    /**
     * Inserts {@code requests} (no event twice); the nids of those inserted, by event id (an
     * event stored already is left as it is and missing from the answer).
     *
     * @param orderings each request's stream position, in order; null when none has one (outliers)
     */
    static Map<String, Long> insert(Connection c, List<PersistRequest> requests, List<Long> orderings)
            throws SQLException {
        Map<String, Long> nids = new HashMap<>();
        if (requests.isEmpty()) {
            return nids;
        }
        int n = requests.size();
        String[] ids = new String[n];
        String[] roomIds = new String[n];
        String[] versions = new String[n];
        String[] types = new String[n];
        String[] stateKeys = new String[n];
        String[] senders = new String[n];
        Long[] depths = new Long[n];
        Long[] timestamps = new Long[n];
        Long[] streamOrderings = new Long[n];
        Boolean[] outliers = new Boolean[n];
        Boolean[] softFailed = new Boolean[n];
        String[] rejected = new String[n];
        String[] redacts = new String[n];
        byte[][] json = new byte[n][];
        for (int i = 0; i < n; i++) {
            PersistRequest r = requests.get(i);
            Pdu pdu = r.pdu();
            ids[i] = pdu.eventId();
            roomIds[i] = pdu.roomId();
            versions[i] = pdu.roomVersion().id();
            types[i] = pdu.type();
            stateKeys[i] = pdu.stateKey();
            senders[i] = pdu.sender();
            depths[i] = pdu.depth();
            timestamps[i] = pdu.originServerTs();
            streamOrderings[i] = orderings == null ? null : orderings.get(i);
            outliers[i] = r.isOutlier();
            softFailed[i] = r.softFailed();
            rejected[i] = r.rejectedReason();
            redacts[i] = pdu.redacts();
            json[i] = pdu.canonicalBytes();
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.setArray(2, c.createArrayOf("text", roomIds));
            ps.setArray(3, c.createArrayOf("text", versions));
            ps.setArray(4, c.createArrayOf("text", types));
            ps.setArray(5, c.createArrayOf("text", stateKeys));
            ps.setArray(6, c.createArrayOf("text", senders));
            ps.setArray(7, c.createArrayOf("bigint", depths));
            ps.setArray(8, c.createArrayOf("bigint", timestamps));
            ps.setArray(9, c.createArrayOf("bigint", streamOrderings));
            ps.setArray(10, c.createArrayOf("boolean", outliers));
            ps.setArray(11, c.createArrayOf("boolean", softFailed));
            ps.setArray(12, c.createArrayOf("text", rejected));
            ps.setArray(13, c.createArrayOf("text", redacts));
            ps.setArray(14, c.createArrayOf("bytea", json));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    nids.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return nids;
    }
}
