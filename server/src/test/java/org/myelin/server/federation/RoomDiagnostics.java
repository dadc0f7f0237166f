package org.myelin.server.federation;

import org.myelin.protocol.event.Pdu;
import org.myelin.server.RoomServices;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.events.StoredEvent;

import java.util.ArrayList;
import java.util.List;

/** What a server holds of a room, for the message of a failed convergence test. */
final class RoomDiagnostics {

    private RoomDiagnostics() {
    }

    static String describe(String roomId, List<TestHomeserver> servers) {
        StringBuilder out = new StringBuilder();
        for (TestHomeserver hs : servers) {
            RoomServices rooms = hs.homeserver().rooms();
            out.append("\n  ").append(hs.serverName()).append(": ");
            var head = rooms.heads.get(roomId);
            if (head.isEmpty()) {
                out.append("no head");
                continue;
            }
            out.append("extremities ");
            for (String id : head.get().forwardExtremities()) {
                out.append(event(rooms, id)).append(' ');
            }
            out.append("\n    db extremities ").append(rooms.rooms.head(roomId).map(h -> h.forwardExtremities())
                    .orElse(List.of()));
            List<String> recent = new ArrayList<>();
            for (StoredEvent e : rooms.events.timeline(roomId, Long.MIN_VALUE, Long.MAX_VALUE, 500, false)) {
                if (e.pdu().isState() || e.pdu().type().equals("m.room.message")) {
                    recent.add(event(rooms, e.eventId()));
                }
            }
            out.append("\n    timeline ").append(recent);
        }
        return out.toString();
    }

    private static String event(RoomServices rooms, String id) {
        StoredEvent e = rooms.eventCache.stored(id);
        if (e == null) {
            return id.substring(0, 6) + "(missing)";
        }
        Pdu p = e.pdu();
        String what = p.isState() ? p.type().replace("m.room.", "") + (p.stateKey().isEmpty() ? "" : ":"
                + p.stateKey().substring(0, Math.min(6, p.stateKey().length())))
                : p.content().path("body").asText(p.type());
        return id.substring(0, 6) + "[" + what + " d" + p.depth() + (e.outlier() ? " outlier" : "")
                + (e.softFailed() ? " soft-failed" : "") + (e.isRejected() ? " rejected" : "")
                + " prev " + p.prevEventIds().stream().map(x -> x.substring(0, 6)).toList() + "]";
    }
}
