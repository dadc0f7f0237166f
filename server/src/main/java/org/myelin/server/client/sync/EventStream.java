package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.notify.Notifier;
import org.myelin.server.client.rooms.ClientEvents;
import org.myelin.server.client.rooms.EventVisibility;
import org.myelin.server.client.rooms.RoomAccess;
import org.myelin.server.client.sync.filter.EventFilter;
import org.myelin.server.client.sync.filter.SyncFilter;
import org.myelin.server.http.MatrixException;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.server.streams.SyncToken;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineFilter;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The event stream of {@code GET /_matrix/client/v3/events} (client-server API, deprecated
 * "Listen on the event stream", and "Room Previews" with {@code room_id}): what happened after a
 * sync token, as one list of events in the order they happened, read from the same streams /sync
 * reads and waited for on the same {@link Notifier}, as Synapse's event stream answers:
 *
 * <ul>
 *   <li>the timeline events of the user's joined rooms and the user's own membership events
 *       (an invite, a leave), oldest first, at most {@code limit} of them (the rest come with the
 *       next request, from {@code end}), each as history visibility lets the user see it;</li>
 *   <li>{@code m.typing} and {@code m.receipt} of those rooms, with their {@code room_id};</li>
 *   <li>{@code m.presence} of the users the user shares a room with, and the user's account data
 *       (room account data with its {@code room_id}).</li>
 * </ul>
 *
 * With {@code room_id}, only that room's timeline, typing and receipts: a room the user is joined
 * to, or a {@code world_readable} one the user peeks into (403 otherwise).
 */
public final class EventStream {

    /** How long a request waits when it does not say (Synapse's). */
    public static final long DEFAULT_TIMEOUT_MS = 30_000;
    /** Timeline events per answer when the request does not say (Synapse's). */
    public static final int DEFAULT_LIMIT = 10;
    static final int MAX_LIMIT = 1000;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * A request of the stream.
     *
     * @param from   where to start; null for now (only what happens from now on)
     * @param roomId the room to read alone (peeking when the user is not joined), or null
     */
    public record Request(String userId, String deviceId, boolean guest, SyncToken from, long timeoutMs,
                          String roomId, int limit) {
    }

    /** An answer: the events, the token the request started from and the one to continue from. */
    public record Chunk(List<ObjectNode> chunk, String start, String end) {
    }

    /** What the stream is read from. */
    record Parts(Streams streams, Notifier notifier, UserMemberships memberships, RoomAccess access,
                 TimelineRepository timeline, RecentTimeline recent, EventCache events, EventVisibility visibility,
                 ClientEvents format, Ephemerals ephemerals, SyncPresence presence,
                 AccountDataRepository accountData) {
    }

    /** The rooms a request reads and the notifier keys it waits on; {@code peeking} when not joined. */
    private record Scope(List<String> rooms, List<String> wakeKeys, boolean peeking) {
    }

    private final Parts parts;

    EventStream(Parts parts) {
        this.parts = parts;
    }

    /** Answers a request, waiting up to its timeout for something to answer with. */
    public Chunk read(Request request) throws InterruptedException {
        Scope scope = scope(request, parts.streams().position(StreamId.TIMELINE));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                Math.max(0, Math.min(request.timeoutMs(), Sync.MAX_TIMEOUT_MS)));
        try (SyncPresence.Syncing syncing = request.guest() ? () -> { }
                : parts.presence().syncing(request.userId(), null)) {
            // "Now" is taken once the user counts as syncing: coming online is not news to the user.
            SyncToken from = request.from() != null ? request.from() : parts.streams().current();
            while (true) {
                try (Notifier.Waiter waiter = parts.notifier().register(scope.wakeKeys())) {
                    SyncToken now = parts.streams().current();
                    Chunk chunk = compute(request, scope, from, now);
                    long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (!chunk.chunk().isEmpty() || remaining <= 0 || !waiter.await(remaining)) {
                        return chunk;
                    }
                }
                // The user may have joined or left rooms meanwhile.
                scope = scope(request, parts.streams().position(StreamId.TIMELINE));
            }
        }
    }

    /** The rooms of the request: the one named (joined or world readable) or all the user's joined rooms. */
    private Scope scope(Request request, long now) {
        String userId = request.userId();
        Map<String, MembershipEvent> memberships = parts.memberships().latestPerRoom(userId, now);
        if (request.roomId() == null) {
            List<String> joined = memberships.values().stream().filter(m -> m.membership().equals("join"))
                    .map(MembershipEvent::roomId).toList();
            return new Scope(joined, parts.memberships().wakeKeys(userId, now), false);
        }
        String roomId = request.roomId();
        MembershipEvent own = memberships.get(roomId);
        if (own != null && own.membership().equals("join")) {
            return new Scope(List.of(roomId), List.of(userId, roomId), false);
        }
        if (!isWorldReadable(roomId)) {
            throw MatrixException.forbidden("Non-joined access not allowed");
        }
        return new Scope(List.of(roomId), List.of(roomId), true);
    }

    private boolean isWorldReadable(String roomId) {
        try {
            return parts.access().isWorldReadable(roomId);
        } catch (MatrixException unknownRoom) {
            return false;
        }
    }

    /** What lies in ({@code from}, {@code now}] for the request. */
    private Chunk compute(Request request, Scope scope, SyncToken from, SyncToken now) {
        List<ObjectNode> chunk = new ArrayList<>();
        long end = timeline(request, scope, from.timeline(), now.timeline(), chunk);
        SyncPass pass = new SyncPass(request.userId(), request.deviceId(), SyncFilter.ALL, false, false, from, now,
                Map.of());
        long typingAfter = from.position(StreamId.TYPING) > now.position(StreamId.TYPING)
                ? 0 : from.position(StreamId.TYPING);
        parts.ephemerals().of(pass, scope.rooms(), typingAfter).forEach((roomId, events) -> events
                .forEach(e -> chunk.add(withRoom(e, roomId))));
        if (!scope.peeking()) {
            chunk.addAll(parts.presence().changes(request.userId(), from.position(StreamId.PRESENCE),
                    now.position(StreamId.PRESENCE), EventFilter.ALL));
            chunk.addAll(accountData(request.userId(), from.position(StreamId.ACCOUNT_DATA),
                    now.position(StreamId.ACCOUNT_DATA)));
        }
        return new Chunk(chunk, from.toString(), now.with(StreamId.TIMELINE, end).toString());
    }

    /**
     * Adds the timeline events of the range to {@code chunk}, oldest first, at most the request's
     * limit of them; returns the timeline position the answer reaches (the last event's when
     * events were left for the next request).
     */
    private long timeline(Request request, Scope scope, long after, long upTo, List<ObjectNode> chunk) {
        if (upTo <= after) {
            return Math.max(after, upTo);
        }
        int limit = Math.clamp(request.limit(), 1, MAX_LIMIT);
        Map<String, StoredEvent> found = new LinkedHashMap<>();
        List<String> moved = parts.streams().changes(StreamId.TIMELINE).changedSince(scope.rooms(), after)
                .map(List::copyOf).orElse(scope.rooms());
        for (String roomId : moved) {
            // One more than fits: a full page means events are left for the next request.
            for (StoredEvent e : page(roomId, after, upTo, limit + 1)) {
                found.put(e.eventId(), e);
            }
        }
        if (!scope.peeking()) {
            List<String> own = parts.memberships().between(request.userId(), after, upTo).stream()
                    .map(MembershipEvent::eventId).toList();
            parts.events().storedAll(own).values().forEach(e -> found.putIfAbsent(e.eventId(), e));
        }
        List<StoredEvent> ordered = new ArrayList<>(found.values());
        ordered.sort(Comparator.comparingLong(StoredEvent::streamOrdering));
        long end = upTo;
        if (ordered.size() > limit) {
            ordered = ordered.subList(0, limit);
            end = ordered.getLast().streamOrdering();
        }
        List<Pdu> visible = parts.visibility().filter(request.userId(), ordered).stream().map(StoredEvent::pdu)
                .toList();
        chunk.addAll(parts.format().format(visible, request.userId(), request.deviceId()));
        return end;
    }

    /** The room's first {@code limit} events in ({@code after}, {@code upTo}], from memory when it holds them. */
    private List<StoredEvent> page(String roomId, long after, long upTo, int limit) {
        Optional<List<StoredEvent>> known = parts.recent().room(roomId).flatMap(r -> r.between(after, upTo));
        if (known.isPresent()) {
            List<StoredEvent> events = known.get();
            return events.subList(0, Math.min(limit, events.size()));
        }
        return parts.timeline().page(roomId, after, upTo, limit, false, TimelineFilter.ALL);
    }

    /** The user's account data that changed in ({@code after}, {@code upTo}]; a room's with its {@code room_id}. */
    private List<ObjectNode> accountData(String userId, long after, long upTo) {
        if (upTo <= after || !parts.streams().changes(StreamId.ACCOUNT_DATA).mayHaveChanged(userId, after)) {
            return List.of();
        }
        List<ObjectNode> events = new ArrayList<>();
        for (AccountDataRepository.Entry e : parts.accountData().changed(userId, after, upTo)) {
            ObjectNode event = JSON.objectNode().put("type", e.type());
            event.set("content", Sync.readObject(e.content()));
            events.add(e.roomId() == null ? event : withRoom(event, e.roomId()));
        }
        return events;
    }

    private static ObjectNode withRoom(ObjectNode event, String roomId) {
        return event.put("room_id", roomId);
    }
}
