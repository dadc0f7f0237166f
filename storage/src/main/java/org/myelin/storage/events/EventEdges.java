package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The prev and auth edges of a batch's new events, written with one statement per table. */
final class EventEdges {

    private final List<Long> prevNids = new ArrayList<>();
    private final List<String> prevIds = new ArrayList<>();
    private final List<Long> authNids = new ArrayList<>();
    private final List<String> authIds = new ArrayList<>();

    void add(long nid, Pdu pdu) {
        for (String id : pdu.prevEventIds()) {
            prevNids.add(nid);
            prevIds.add(id);
        }
        for (String id : pdu.authEventIds()) {
            authNids.add(nid);
            authIds.add(id);
        }
    }

    void write(Connection c) throws SQLException {
        insert(c, "event_prev_edges", "prev_event_id", prevNids, prevIds);
        insert(c, "event_auth_edges", "auth_event_id", authNids, authIds);
    }

    private static void insert(Connection c, String table, String column, List<Long> nids, List<String> ids)
            throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (event_nid, " + column
                + ") SELECT unnest(?::bigint[]), unnest(?::text[]) ON CONFLICT DO NOTHING")) {
            ps.setArray(1, c.createArrayOf("bigint", nids.toArray()));
            ps.setArray(2, c.createArrayOf("text", ids.toArray()));
            ps.executeUpdate();
        }
    }
}
