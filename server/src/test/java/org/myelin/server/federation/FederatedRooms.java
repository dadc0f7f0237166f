package org.myelin.server.federation;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.server.RoomServices;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.events.PersistRequest;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.state.StateSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Rooms spanning test homeservers, until the joins handshake exists: a room created on one
 * server through its pipeline, remote members' events built on its head and signed by their
 * servers, and the room copied to another server (its create event seeded in the store, every
 * later event received through the pipeline), as a join will do.
 */
final class FederatedRooms {

    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final Duration WAIT = Duration.ofSeconds(60);

    private FederatedRooms() {
    }

    static ObjectNode content(String... keyValues) {
        ObjectNode c = JSON.objectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            c.put(keyValues[i], keyValues[i + 1]);
        }
        return c;
    }

    static Pdu accepted(Outcome outcome) {
        if (!(outcome instanceof Outcome.Accepted a)) {
            throw new AssertionError("expected the event to be accepted, got " + outcome);
        }
        return a.event().pdu();
    }

    static RoomServices rooms(TestHomeserver hs) {
        return hs.homeserver().rooms();
    }

    /** A public room created by {@code creator} (a user of {@code hs}): create, join, power levels, join rules. */
    static String createPublicRoom(TestHomeserver hs, String creator) {
        RoomServices r = rooms(hs);
        Pdu create = accepted(r.pipeline.submit(Input.LocalEvent.state(null, creator, "m.room.create", "",
                content("room_version", "12"))));
        String roomId = create.roomId();
        accepted(r.pipeline.submit(Input.LocalEvent.state(roomId, creator, "m.room.member", creator,
                content("membership", "join"))));
        accepted(r.pipeline.submit(Input.LocalEvent.state(roomId, creator, "m.room.power_levels", "", JSON.objectNode())));
        accepted(r.pipeline.submit(Input.LocalEvent.state(roomId, creator, "m.room.join_rules", "",
                content("join_rule", "public"))));
        return roomId;
    }

    /** A local user's message. */
    static Pdu say(TestHomeserver hs, String roomId, String sender, String body) {
        return accepted(rooms(hs).pipeline.submit(Input.LocalEvent.message(roomId, sender, "m.room.message",
                content("msgtype", "m.text", "body", body))));
    }

    /**
     * An event of a remote {@code sender}, built on {@code hs}'s current head of the room (its
     * extremities as prev events, the auth events the rules select) and signed by {@code server}.
     */
    static Pdu remoteEvent(TestHomeserver hs, String roomId, String sender, String type, String stateKey,
                           ObjectNode content, String server, SigningKey key) {
        RoomHead head = rooms(hs).heads.get(roomId).orElseThrow();
        List<String> auth = new ArrayList<>();
        for (StateKey k : AuthEventsSelection.requiredFor(type, stateKey, sender, content, head.version())) {
            String id = head.currentState().get(k);
            if (id != null) {
                auth.add(id);
            }
        }
        return EventBuilder.in(head.version(), roomId).type(type).stateKey(stateKey).sender(sender).content(content)
                .prevEvents(head.forwardExtremities()).authEvents(auth).depth(head.maxDepth() + 1)
                .originServerTs(System.currentTimeMillis()).build(server, key);
    }

    /** Joins {@code user} of {@code member} to a room of {@code resident}: the join, signed by {@code member}. */
    static Pdu joinRemote(TestHomeserver resident, String roomId, TestHomeserver member, String user) {
        Pdu join = remoteEvent(resident, roomId, user, "m.room.member", user, content("membership", "join"),
                member.serverName(), member.homeserver().signingKey());
        accepted(rooms(resident).pipeline.submit(new Input.RemoteEvent(join, member.serverName())));
        return join;
    }

    /**
     * Copies a room from {@code from} to {@code to}: the create event is written to {@code to}'s
     * store as the first event of the room, every later event of {@code from}'s timeline is received
     * through {@code to}'s pipeline (signatures checked with keys fetched over federation).
     */
    static void replicate(TestHomeserver from, String roomId, TestHomeserver to) {
        List<StoredEvent> timeline = rooms(from).events.timeline(roomId, 0, Long.MAX_VALUE, 10_000, false);
        Pdu create = timeline.getFirst().pdu();
        RoomServices target = rooms(to);
        target.rooms.create(roomId, create.roomVersion(), System.currentTimeMillis());
        StateSnapshot before = StateSnapshot.full(roomId, Map.of());
        StateSnapshot after = StateSnapshot.full(roomId, Map.of(StateKey.create(), create.eventId()));
        target.persister.persist(new PersistRequest(create, PersistRequest.Placement.LIVE, null, false, before, after,
                after, List.of(), List.of(create.eventId()))).join();
        target.heads.invalidate(roomId);
        for (StoredEvent e : timeline.subList(1, timeline.size())) {
            accepted(target.pipeline.submit(new Input.RemoteEvent(e.pdu(), e.pdu().senderDomain())));
        }
    }

    /** Whether {@code hs} has stored {@code eventId} with a place in the timeline. */
    static boolean hasInTimeline(TestHomeserver hs, String eventId) {
        return rooms(hs).events.byId(eventId).map(StoredEvent::isVisibleInTimeline).orElse(false);
    }

    /** Waits until {@code condition} holds, failing after {@link #WAIT}; polls, never asserts on time. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting until " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
