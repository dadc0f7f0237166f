package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.notify.Notifier;
import org.myelin.rooms.ports.RemoteEvents;
import org.myelin.rooms.ports.ServerKeys;
import org.myelin.storage.Database;
import org.myelin.storage.events.EventPersister;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.rooms.RoomRepository;
import org.myelin.storage.state.StateSnapshotRepository;
import org.myelin.storage.testing.TestDatabases;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A pipeline wired as the server wires it, on a fresh embedded PostgreSQL database, with a
 * key ring that knows the keys of the test's fake remote servers.
 */
final class TestPipeline implements AutoCloseable {

    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    final Database database;
    /** The database as the pipeline reaches it, counting statements and commits. */
    final CountingDataSource dataSource;
    final LocalServer server;
    final Map<String, VerifyKey> knownKeys = new ConcurrentHashMap<>();
    final List<PersistedEvent> committed = new CopyOnWriteArrayList<>();
    /** Database transactions the persister committed. */
    final AtomicInteger commits = new AtomicInteger();
    /** What the persister's connections come through (a test may hold them back). */
    UnaryOperator<DataSource> persisterDataSource = UnaryOperator.identity();
    final Notifier notifier = new Notifier();
    final EventRepository eventRepository;
    final RoomRepository roomRepository;
    final StateSnapshotRepository snapshots;
    EventPersister persister;
    RoomHeads heads;
    RoomEventPipeline pipeline;
    RemoteEvents remote = RemoteEvents.NONE;
    /** How many events the pipeline's cache holds; takes effect at the next {@link #start()}. */
    int cacheCapacity = 10_000;
    /** The pipeline's clock; takes effect at the next {@link #start()}. */
    Clock clock = Clock.systemUTC();

    TestPipeline(String serverName) {
        this(serverName, TestDatabases.freshDatabase());
    }

    TestPipeline(String serverName, Database database) {
        this.database = database;
        this.dataSource = new CountingDataSource(database.dataSource());
        this.server = new LocalServer(serverName, SigningKey.fromSeed("test", seed(serverName)));
        knownKeys.put(serverName, server.signingKey().verifyKey());
        eventRepository = new EventRepository(dataSource);
        roomRepository = new RoomRepository(dataSource);
        snapshots = new StateSnapshotRepository(dataSource);
        start();
    }

    /** (Re)builds everything above the database, as a restart of the process would. */
    void start() {
        if (persister != null) {
            persister.close();
        }
        EventCache cache = new EventCache(eventRepository, cacheCapacity);
        EventStates states = new EventStates(eventRepository, new StateSnapshotRepository(dataSource));
        heads = new RoomHeads(roomRepository, states, cache);
        persister = new EventPersister(persisterDataSource.apply(dataSource), snapshots, batch -> {
            commits.incrementAndGet();
            committed.addAll(batch);
            batch.forEach(e -> notifier.signal(e.pdu().roomId()));
        });
        ServerKeys keys = (event, serverName) -> {
            VerifyKey key = knownKeys.get(serverName);
            return key != null && EventSigning.verify(event.json(), event.roomVersion(), serverName, key);
        };
        pipeline = new RoomEventPipeline(new RoomEventPipeline.Parts(server, clock, cache, states, heads,
                roomRepository, persister, keys, new RemoteEvents() {
                    @Override
                    public java.util.Optional<Pdu> event(String s, org.myelin.protocol.version.RoomVersion v, String id) {
                        return remote.event(s, v, id);
                    }

                    @Override
                    public List<Pdu> missingEvents(String s, org.myelin.protocol.version.RoomVersion v, String roomId,
                                                   List<String> earliest, List<String> latest, int limit) {
                        return remote.missingEvents(s, v, roomId, earliest, latest, limit);
                    }

                    @Override
                    public java.util.Optional<RemoteState> stateBefore(String s, org.myelin.protocol.version.RoomVersion v,
                                                                       String roomId, String eventId) {
                        return remote.stateBefore(s, v, roomId, eventId);
                    }
                }));
    }

    static byte[] seed(String name) {
        byte[] seed = new byte[32];
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(n, 0, seed, 0, Math.min(32, n.length));
        return seed;
    }

    static ObjectNode content(String... keyValues) {
        ObjectNode c = JSON.objectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            c.put(keyValues[i], keyValues[i + 1]);
        }
        return c;
    }

    Outcome submit(Input input) {
        return pipeline.submit(input);
    }

    /** Creates a room as the createRoom endpoint does: create, creator's join, power levels, join rules. */
    String createRoom(String versionId, String creator, String joinRule) {
        String roomId = versionId.equals("12") ? null : "!" + java.util.UUID.randomUUID().toString().substring(0, 12)
                + ":" + server.serverName();
        ObjectNode createContent = content("room_version", versionId);
        if (!versionId.equals("11") && !versionId.equals("12")) {
            createContent.put("creator", creator);
        }
        Outcome created = submit(Input.LocalEvent.state(roomId, creator, "m.room.create", "", createContent));
        String id = ((Outcome.Accepted) created).event().pdu().roomId();
        accepted(submit(Input.LocalEvent.state(id, creator, "m.room.member", creator, content("membership", "join"))));
        ObjectNode pl = JSON.objectNode();
        if (!versionId.equals("12")) {
            pl.putObject("users").put(creator, 100);
        }
        accepted(submit(Input.LocalEvent.state(id, creator, "m.room.power_levels", "", pl)));
        accepted(submit(Input.LocalEvent.state(id, creator, "m.room.join_rules", "", content("join_rule", joinRule))));
        return id;
    }

    static Pdu accepted(Outcome outcome) {
        if (!(outcome instanceof Outcome.Accepted a)) {
            throw new AssertionError("expected the event to be accepted, got " + outcome);
        }
        return a.event().pdu();
    }

    @Override
    public void close() {
        persister.close();
        database.close();
    }
}
