package org.myelin.server.client.rooms;

import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomRepository;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event} (client-server API, "Events"):
 * the event closest to a time in a direction, as Synapse's {@code get_event_for_timestamp} finds
 * it. The closest event here is the answer unless there is none, or it lies next to a gap in the
 * room's history here, where events we lack may be closer: looking forwards, one of its prev
 * events is missing; looking backwards, no event here follows it and it is not one of the room's
 * newest. Then the room's other servers are asked (those in the room the longest first, at most
 * {@value #MAX_SERVERS_ASKED}), and an event of theirs closer to the time is fetched into the
 * history here and answered instead.
 */
public final class TimestampLookup {

    /** How many other servers one lookup asks at most. */
    static final int MAX_SERVERS_ASKED = 5;

    /** What the lookup reads. */
    public record Parts(RoomAccess access, TimelineRepository timeline, EventCache events, RoomRepository rooms,
                        MembershipRepository memberships, String localServer, Supplier<RemoteTimestamps> remote) {
    }

    private final Parts parts;

    public TimestampLookup(Parts parts) {
        this.parts = parts;
    }

    /** The closest event to {@code ts}: at or after it, or at or before it ({@code backwards}); 404 if none. */
    public RoomTimeline.Closest closest(Requester requester, String roomId, long ts, boolean backwards) {
        parts.access().requireCanRead(roomId, requester.userId());
        Optional<StoredEvent> local = parts.timeline().closestTo(roomId, ts, backwards);
        if (local.isEmpty() || nextToGap(local.get(), backwards)) {
            Optional<RoomTimeline.Closest> remote = askOthers(roomId, ts, backwards, local);
            if (remote.isPresent()) {
                return remote.get();
            }
        }
        StoredEvent found = local.orElseThrow(() -> MatrixException.notFound(
                "Unable to find event from " + ts + " in direction " + (backwards ? "b" : "f")));
        return new RoomTimeline.Closest(found.eventId(), found.pdu().originServerTs());
    }

    /** The first answer of another server closer to {@code ts} than {@code local}, if any. */
    private Optional<RoomTimeline.Closest> askOthers(String roomId, long ts, boolean backwards,
                                                     Optional<StoredEvent> local) {
        List<String> servers = parts.memberships().joinedServersLongestFirst(roomId).stream()
                .filter(server -> !server.equals(parts.localServer())).limit(MAX_SERVERS_ASKED).toList();
        for (String server : servers) {
            Optional<RoomTimeline.Closest> answer = parts.remote().get().closest(server, roomId, ts, backwards);
            if (answer.isPresent() && (local.isEmpty()
                    || distance(answer.get().originServerTs(), ts) < distance(local.get().pdu().originServerTs(), ts))) {
                return answer;
            }
        }
        return Optional.empty();
    }

    private static long distance(long a, long b) {
        return Math.abs(a - b);
    }

    private boolean nextToGap(StoredEvent event, boolean backwards) {
        return backwards ? nextToForwardGap(event) : nextToBackwardGap(event.pdu());
    }

    /** Whether a prev event of {@code pdu} is not in the room's graph here: older events may be missing. */
    private boolean nextToBackwardGap(Pdu pdu) {
        Map<String, StoredEvent> prevs = parts.events().storedAll(pdu.prevEventIds());
        for (String prev : pdu.prevEventIds()) {
            StoredEvent known = prevs.get(prev);
            if (known == null || known.outlier() || known.isRejected()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether no event of the room's graph here follows {@code event} although it is not one of
     * the room's newest (its forward extremities, after which nothing is missing but what has not
     * happened yet): newer events may be missing.
     */
    private boolean nextToForwardGap(StoredEvent event) {
        String roomId = event.pdu().roomId();
        if (parts.access().head(roomId).forwardExtremities().contains(event.eventId())) {
            return false;
        }
        return !parts.rooms().isPrevOfStoredEvent(roomId, event.eventId());
    }
}
