package org.myelin.server;

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
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomRepository;
import org.myelin.storage.state.StateSnapshotRepository;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rooms side of the homeserver, wired by constructors: the event store, the one pipeline and
 * the notifier. The ports (outbox, remote events, server keys) are plugged in by federation.
 */
public final class RoomServices implements AutoCloseable {

    public final LocalServer local;
    public final Clock clock;
    public final EventRepository events;
    public final RoomRepository rooms;
    public final MembershipRepository memberships;
    public final StateSnapshotRepository snapshots;
    public final EventCache eventCache;
    public final EventStates eventStates;
    public final RoomHeads heads;
    public final Notifier notifier;
    public final EventPersister persister;
    public final RoomEventPipeline pipeline;
    private final AtomicReference<Outbox> outbox = new AtomicReference<>(Outbox.NONE);

    RoomServices(DataSource dataSource, LocalServer local, Clock clock, ServerKeys remoteKeys, RemoteEvents remote) {
        this.local = local;
        this.clock = clock;
        this.events = new EventRepository(dataSource);
        this.rooms = new RoomRepository(dataSource);
        this.memberships = new MembershipRepository(dataSource);
        this.snapshots = new StateSnapshotRepository(dataSource);
        this.eventCache = new EventCache(events, 50_000);
        this.eventStates = new EventStates(events, snapshots);
        this.heads = new RoomHeads(rooms, eventStates, eventCache);
        this.notifier = new Notifier();
        this.persister = new EventPersister(dataSource, snapshots, this::committed);
        ServerKeys keys = (event, server) -> server.equals(local.serverName())
                ? EventSigning.verify(event.json(), event.roomVersion(), server, local.signingKey().verifyKey())
                : remoteKeys.isSignedBy(event, server);
        this.pipeline = new RoomEventPipeline(new RoomEventPipeline.Parts(local, clock, eventCache, eventStates, heads,
                rooms, persister, keys, remote));
    }

    /** Where committed local events go to reach other servers; federation sets it. */
    public void useOutbox(Outbox outbox) {
        this.outbox.set(outbox);
    }

    /** Called by the persister after each commit: wake readers, hand local events to federation. */
    private void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            if (e.alreadyKnown()) {
                continue;
            }
            notifier.signal(e.pdu().roomId());
            if (e.pdu().isState() && "m.room.member".equals(e.pdu().type())) {
                notifier.signal(e.pdu().stateKey());
            }
            if (e.visible() && local.serverName().equals(e.pdu().senderDomain())) {
                java.util.Set<String> destinations = new java.util.HashSet<>(memberships.joinedServers(e.pdu().roomId()));
                destinations.remove(local.serverName());
                if (!destinations.isEmpty()) {
                    outbox.get().send(e.pdu(), destinations);
                }
            }
        }
    }

    @Override
    public void close() {
        persister.close();
    }
}
