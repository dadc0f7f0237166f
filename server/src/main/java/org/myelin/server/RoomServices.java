package org.myelin.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.EventSigning;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.notify.Notifier;
import org.myelin.rooms.pipeline.RoomEventPipeline;
import org.myelin.rooms.ports.Outbox;
import org.myelin.rooms.ports.RemoteEvents;
import org.myelin.rooms.ports.ServerKeys;
import org.myelin.storage.events.EventPersister;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomRepository;
import org.myelin.storage.state.StateSnapshotRepository;
import org.myelin.storage.streams.StreamCounters;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.events.StoredEvent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The rooms side of the homeserver, wired by constructors: the event store, the one pipeline and
 * the notifier. The ports (outbox, remote events, server keys) are plugged in by federation.
 */
public final class RoomServices implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoomServices.class);

    public final LocalServer local;
    public final Clock clock;
    public final EventRepository events;
    public final RoomRepository rooms;
    public final MembershipRepository memberships;
    public final StateSnapshotRepository snapshots;
    /** Timeline pages and what the state was before an event: one for every reader, so one cache. */
    public final TimelineRepository timeline;
    public final EventCache eventCache;
    public final EventStates eventStates;
    public final RoomHeads heads;
    public final Notifier notifier;
    /** Every sync stream's position; the timeline's advances here, after each commit. */
    public final Streams streams;
    /** The newest events of each room with the state after each, kept as they commit. */
    public final RecentTimeline recent;
    public final EventPersister persister;
    public final RoomEventPipeline pipeline;
    private final AtomicReference<Outbox> outbox = new AtomicReference<>(Outbox.NONE);
    private final List<Consumer<List<PersistedEvent>>> commitListeners = new CopyOnWriteArrayList<>();
    /** Room → servers with joined members; read and invalidated only on the persister's thread. */
    private final Cache<String, Set<String>> joinedServers = Caffeine.newBuilder().maximumSize(10_000).recordStats().build();

    /** What federation plugs in: other servers' keys, and their events when some are missing. */
    record Peers(ServerKeys keys, RemoteEvents events) {
    }

    /**
     * @param eventCacheBytes what committed events may take in the event cache (128 MiB: some
     *                        25,000 to 40,000 events of common sizes)
     */
    RoomServices(DataSource dataSource, LocalServer local, Clock clock, long eventCacheBytes, Peers peers) {
        this.local = local;
        this.clock = clock;
        this.events = new EventRepository(dataSource);
        this.rooms = new RoomRepository(dataSource);
        this.memberships = new MembershipRepository(dataSource);
        this.snapshots = new StateSnapshotRepository(dataSource);
        this.timeline = new TimelineRepository(dataSource);
        // Bounded by memory, not count: 50,000 events were half a gigabyte kept for good.
        this.eventCache = EventCache.within(events, eventCacheBytes);
        this.eventStates = new EventStates(events, snapshots);
        this.heads = new RoomHeads(rooms, eventStates, eventCache);
        this.notifier = new Notifier();
        this.streams = Streams.load(notifier, events.maxStreamOrdering(), new StreamCounters(dataSource));
        this.recent = new RecentTimeline(streams.changes(StreamId.TIMELINE));
        this.persister = new EventPersister(dataSource, snapshots, this::committed);
        ServerKeys keys = (event, server) -> server.equals(local.serverName())
                ? EventSigning.verify(event, server, local.signingKey().verifyKey())
                : peers.keys().isSignedBy(event, server);
        this.pipeline = new RoomEventPipeline(new RoomEventPipeline.Parts(local, clock, eventCache, eventStates, heads,
                rooms, persister, keys, peers.events()));
    }

    /** Where committed local events go to reach other servers; federation sets it. */
    public void useOutbox(Outbox outbox) {
        this.outbox.set(outbox);
    }

    /**
     * Adds {@code listener}, told of each committed batch (in stream order, on the persister's
     * thread) before the timeline position moves past it: for caches that readers of the timeline
     * must find up to date. It must not block.
     */
    public void onCommit(Consumer<List<PersistedEvent>> listener) {
        commitListeners.add(listener);
    }

    /**
     * Called by the persister after each commit: record the events where /sync looks first, move
     * the timeline position, wake readers, hand local events to federation.
     */
    private void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            if (e.visible() && e.streamOrdering() != null && e.streamOrdering() > 0) {
                recordVisible(e);
            } else if (!e.alreadyKnown() && e.streamOrdering() != null && e.streamOrdering() > 0 && isMember(e)) {
                // An out-of-band membership (a remote invite, its rejection, a knock) is no timeline
                // event, but it changes the user's memberships: their syncs must look again.
                streams.record(StreamId.TIMELINE, e.pdu().stateKey(), e.streamOrdering());
            }
        }
        for (Consumer<List<PersistedEvent>> listener : commitListeners) {
            try {
                listener.accept(batch);
            } catch (RuntimeException failure) {
                LOG.error("commit listener {} failed", listener, failure);
            }
        }
        // The position moves before anyone is woken, so woken readers see the events.
        batch.stream().map(PersistedEvent::streamOrdering).filter(Objects::nonNull)
                .mapToLong(Long::longValue).max()
                .ifPresent(newest -> streams.advanced(StreamId.TIMELINE, newest, List.of()));
        for (PersistedEvent e : batch) {
            if (e.alreadyKnown()) {
                continue;
            }
            notifier.signal(e.pdu().roomId());
            if (isMember(e)) {
                notifier.signal(e.pdu().stateKey());
            }
            if (e.visible() && local.serverName().equals(e.pdu().senderDomain())) {
                Set<String> destinations = new HashSet<>(joinedServers(e.pdu().roomId()));
                if (e.pdu().isState() && "m.room.member".equals(e.pdu().type())) {
                    // A kicked or banned user's server is no longer in the room, but must hear of it.
                    destinations.add(org.myelin.protocol.event.Pdu.domainOf(e.pdu().stateKey()));
                }
                destinations.remove(local.serverName());
                if (!destinations.isEmpty()) {
                    outbox.get().send(e.pdu(), destinations);
                }
            }
        }
    }

    /**
     * A visible timeline event: into the recent timeline with the state after it, and into the
     * timeline's change cache under its room and, for a membership, under its user.
     */
    private void recordVisible(PersistedEvent e) {
        String roomId = e.pdu().roomId();
        long position = e.streamOrdering();
        try {
            var after = eventStates.remembered(e.pdu().eventId()).orElse(null);
            recent.committed(new StoredEvent(e.nid(), e.pdu(), position, false, false, null),
                    after == null ? null : after.snapshot(), after == null ? null : after.entries());
        } catch (RuntimeException failure) {
            // Without it, readers of the room go to the store; the timeline must move on regardless.
            LOG.error("recent timeline of {} not updated", roomId, failure);
            recent.forget(roomId);
        }
        streams.record(StreamId.TIMELINE, roomId, position);
        if (isMember(e)) {
            streams.record(StreamId.TIMELINE, e.pdu().stateKey(), position);
        }
        boolean stateChanged = recent.room(roomId).map(r -> r.stateChangedAt() == position).orElse(true);
        if (stateChanged || isMember(e)) {
            joinedServers.invalidate(roomId);
        }
    }

    private Set<String> joinedServers(String roomId) {
        // Not Cache.get(key, loader): no query inside the cache's compute.
        Set<String> servers = joinedServers.getIfPresent(roomId);
        if (servers == null) {
            servers = Set.copyOf(memberships.joinedServers(roomId));
            joinedServers.put(roomId, servers);
        }
        return servers;
    }

    private static boolean isMember(PersistedEvent e) {
        return e.pdu().isState() && "m.room.member".equals(e.pdu().type());
    }

    /** The rooms' caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        Map<String, Cache<?, ?>> caches = new HashMap<>(snapshots.caches());
        caches.put("events", eventCache.committedCache());
        caches.put("joined_servers", joinedServers);
        caches.putAll(timeline.caches());
        caches.putAll(recent.caches());
        caches.putAll(pipeline.caches());
        return caches;
    }

    @Override
    public void close() {
        persister.close();
    }
}
