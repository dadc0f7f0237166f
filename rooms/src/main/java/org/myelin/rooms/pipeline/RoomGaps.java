package org.myelin.rooms.pipeline;

import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.rooms.RoomRepository;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a room's graph here may have gaps: an event whose prev events are not all in it (stored
 * with state fetched for it, backfilled history, a join on a remote room's head). Only then can a
 * newly received event be named as a prev event by one stored already (it fills the gap), so a
 * gap-free room need not ask the database for each received event.
 *
 * <p>A room starts unknown and is asked once (any stored event with a prev not in the graph?);
 * every event entering its graph afterwards is looked at before it is queued, and one whose prev
 * events are not all known here marks the room as having gaps for good. Conservative: an event
 * the cache has forgotten counts as missing.
 */
final class RoomGaps {

    private final RoomRepository rooms;
    private final EventCache events;
    /** By room: true while no gap is known, false once one may exist; absent until asked. */
    private final Map<String, Boolean> gapFree = new ConcurrentHashMap<>();

    RoomGaps(RoomRepository rooms, EventCache events) {
        this.rooms = rooms;
        this.events = events;
    }

    /** Whether an event of the room, stored or queued, names {@code eventId} among its prev events. */
    boolean isPrevOfStoredEvent(String roomId, String eventId) {
        return !isGapFree(roomId) && rooms.isPrevOfStoredEvent(roomId, eventId);
    }

    private boolean isGapFree(String roomId) {
        Boolean known = gapFree.get(roomId);
        if (known != null) {
            return known;
        }
        // A gap marked while we asked wins: putIfAbsent keeps it.
        gapFree.putIfAbsent(roomId, !rooms.hasEventWithPrevOutsideGraph(roomId));
        return gapFree.get(roomId);
    }

    /** Called for each event about to be queued into the room's graph (not an outlier, not rejected). */
    void entering(Pdu pdu) {
        if (Boolean.FALSE.equals(gapFree.get(pdu.roomId()))) {
            return;
        }
        for (String prev : pdu.prevEventIds()) {
            StoredEvent known = events.cached(prev);
            if (known == null || known.outlier() || known.isRejected()) {
                gapFree.put(pdu.roomId(), false);
                return;
            }
        }
    }

    /** An event of the room failed to commit: what was queued on it names a prev that is not stored. */
    void lost(String roomId) {
        gapFree.put(roomId, false);
    }
}
