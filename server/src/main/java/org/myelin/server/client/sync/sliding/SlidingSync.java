package org.myelin.server.client.sync.sliding;

import org.myelin.rooms.notify.Notifier;
import org.myelin.server.client.sync.Sync;
import org.myelin.server.client.sync.UserMemberships;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.Extensions;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.RoomResult;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.server.streams.SyncToken;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Simplified sliding sync (MSC4186) as Synapse serves it: the user's rooms in lists ordered by
 * bump stamp and cut to the client's ranges, the rooms it subscribes to, and extensions, on a
 * connection that remembers what it was sent ({@link SlidingSyncConnections}), so that each
 * response after the first carries only what changed. When nothing did, the request waits on the
 * {@link Notifier} for the user's rooms and the user's own key, as /sync does, until something
 * arrives or the timeout passes; the waiter is registered before the positions are read, so a
 * change committed in between still wakes it.
 */
public final class SlidingSync {

    /**
     * A sliding sync request.
     *
     * @param pos       the previous response's {@code pos}, null for a fresh connection
     * @param timeoutMs how long to wait for news (capped as /sync's)
     */
    public record Request(String userId, String deviceId, SlidingPos pos, long timeoutMs, SlidingSyncRequest body) {
    }

    /** A response's body and the connection state it leaves. */
    private record Computed(Map<String, SlidingSyncResponse.SlidingList> lists, Map<String, RoomResult> rooms,
                            Extensions extensions, ConnectionState state, boolean tracked) {
        boolean hasUpdates() {
            return !rooms.isEmpty() || extensions.hasUpdates();
        }
    }

    /** What the sliding sync is made of. */
    record Parts(Streams streams, Notifier notifier, UserMemberships memberships, RoomLists lists, RoomResults rooms,
                 SlidingExtensions extensions, SlidingSyncConnections connections) {
    }

    private final Parts parts;

    SlidingSync(Parts parts) {
        this.parts = parts;
    }

    /** Answers a request, waiting for news when it continues a connection and nothing is new yet. */
    public SlidingSyncResponse sync(Request request) throws InterruptedException {
        SyncToken from = request.pos() == null ? null : checked(request.pos().streams());
        SlidingSyncConnections.Key key = new SlidingSyncConnections.Key(request.userId(),
                request.deviceId() == null ? "" : request.deviceId(),
                request.body().connId() == null ? "" : request.body().connId());
        ConnectionState previous = request.pos() == null ? ConnectionState.EMPTY
                : parts.connections().resume(key, request.pos().connection()).orElseThrow(SlidingSync::unknownPos);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                Math.max(0, Math.min(request.timeoutMs(), Sync.MAX_TIMEOUT_MS)));
        while (true) {
            try (Notifier.Waiter waiter = parts.notifier().register(request.userId(),
                    parts.memberships().wakeKeys(request.userId(), parts.streams().position(StreamId.TIMELINE)))) {
                SyncToken now = parts.streams().current();
                Computed computed = compute(request, previous, from, now);
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (computed.hasUpdates() || from == null || remaining <= 0 || !waiter.await(remaining)) {
                    long connection = !computed.tracked() ? (request.pos() == null ? 0 : request.pos().connection())
                            : parts.connections().record(key, request.pos() == null ? 0 : request.pos().connection(),
                                    computed.state());
                    return new SlidingSyncResponse(new SlidingPos(connection, now).toString(), computed.lists(),
                            computed.rooms(), computed.extensions());
                }
            }
        }
    }

    private Computed compute(Request request, ConnectionState previous, SyncToken from, SyncToken now) {
        SlidingSyncRequest body = request.body();
        RoomLists.Interested interested = parts.lists().compute(request.userId(), body, previous, from, now);
        ConnectionState.Builder state = previous.builder();
        Map<String, RoomResult> rooms = new LinkedHashMap<>();
        for (Map.Entry<String, RoomParams> e : interested.toSend().entrySet()) {
            String roomId = e.getKey();
            MembershipEvent membership = interested.memberships().get(roomId);
            RoomResult room = parts.rooms().build(new RoomResults.Request(request.userId(), request.deviceId(), roomId,
                    e.getValue(), membership, from, now, interested.newlyJoined().contains(roomId),
                    interested.newlyLeft().contains(roomId), interested.directRooms().contains(roomId),
                    interested.traits().get(roomId)), previous, state);
            if (from == null || room.hasUpdates()) {
                rooms.put(roomId, room);
            }
        }
        Extensions extensions = parts.extensions().answer(new SlidingExtensions.Request(request.userId(),
                request.deviceId(), body.extensions(), from, now, interested, rooms), previous, state);
        boolean tracked = !body.lists().isEmpty() || !body.roomSubscriptions().isEmpty();
        if (tracked) {
            if (from != null) {
                // Rooms out of the windows that changed: the connection misses those updates until
                // they come back into view.
                Set<String> outOfView = new HashSet<>(interested.allRooms());
                outOfView.removeAll(interested.relevant().keySet());
                state.missed(state.rooms(), parts.lists().withEventsSince(outOfView, from.timeline(), now.timeline()),
                        from.timeline());
            }
            state.sent(state.rooms(), interested.toSend().keySet());
        }
        return new Computed(interested.lists(), rooms, extensions, state.build(), tracked);
    }

    /**
     * The request's stream positions, which must not be ahead of this server's: a position it
     * never gave out is unknown (typing positions restart with the process and are read afresh).
     */
    private SyncToken checked(SyncToken from) {
        SyncToken now = parts.streams().current();
        for (StreamId stream : StreamId.values()) {
            if (stream != StreamId.TYPING && from.position(stream) > now.position(stream)) {
                throw unknownPos();
            }
        }
        return from;
    }

    private static MatrixException unknownPos() {
        return MatrixException.of(ErrCode.M_UNKNOWN_POS, "Unknown position");
    }
}
