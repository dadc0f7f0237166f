package org.myelin.federation.inbound;

import org.myelin.federation.FederationException;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineRepository;

/**
 * {@code GET /_matrix/federation/v1/timestamp_to_event/{roomId}} (server-server API, "Timestamp
 * to event"): the event of the room closest to a time in a direction, among the events this server
 * has in the room's timeline (never asking further: the asking server does that). The room's ACL
 * must allow the asking server, and, as for {@code /backfill}, the server must be in the room:
 * the answer reads the room's history. (Synapse checks the ACL only.)
 */
public final class TimestampServing {

    /** The answer: the event and its {@code origin_server_ts}. */
    public record Closest(String eventId, long originServerTs) {
    }

    private final RoomHeads heads;
    private final RoomAccess access;
    private final TimelineRepository timeline;

    public TimestampServing(RoomHeads heads, RoomAccess access, TimelineRepository timeline) {
        this.heads = heads;
        this.access = access;
        this.timeline = timeline;
    }

    /** The closest event at or after {@code ts}, or at or before it ({@code backwards}); 404 M_NOT_FOUND if none. */
    public Closest closest(String origin, String roomId, long ts, boolean backwards) {
        if (heads.get(roomId).isEmpty()) {
            throw FederationException.notFound("Unknown room " + roomId);
        }
        access.requireInRoom(roomId, origin);
        StoredEvent found = timeline.closestTo(roomId, ts, backwards).orElseThrow(() -> FederationException.notFound(
                "Unable to find event from " + ts + " in direction " + (backwards ? "b" : "f")));
        return new Closest(found.eventId(), found.pdu().originServerTs());
    }
}
