package org.myelin.rooms.pipeline;

import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.InvalidEventException;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.head.RoomHead;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Step 1 for a local event: build it on the room's head. Its {@code prev_events} are the forward
 * extremities (at most {@value #MAX_PREV_EVENTS}), its {@code auth_events} the auth events
 * selection from the current state, its depth one more than the deepest extremity; then it is
 * hashed and signed.
 */
final class BuildEvent {

    /** Synapse caps prev_events at 10 too: more only makes the event bigger. */
    static final int MAX_PREV_EVENTS = 10;

    private final LocalServer server;
    private final Clock clock;
    /** The {@code origin_server_ts} of the last create event built. */
    private final AtomicLong lastCreate = new AtomicLong();

    BuildEvent(LocalServer server, Clock clock) {
        this.server = server;
        this.clock = clock;
    }

    /**
     * Builds the create event of a new room; its version comes from {@code content.room_version}.
     * No two create events built here carry the same {@code origin_server_ts}: where the room id
     * is the create event's hash (v12), two creates of one user with the same content in one
     * millisecond would otherwise name one room. Each is stamped one millisecond after the last
     * if the clock has not moved on, as Synapse perturbs it.
     */
    Pdu create(Input.LocalEvent input) {
        String versionId = input.content().path("room_version").asText("1");
        RoomVersion version = RoomVersions.find(versionId)
                .orElseThrow(() -> new InvalidEventException("unknown room version " + versionId));
        if (version.auth().roomIdIsCreateEventHash() != (input.roomId() == null)) {
            throw new InvalidEventException(version + (version.auth().roomIdIsCreateEventHash()
                    ? " derives the room id from the create event" : " needs a room id"));
        }
        long ts = lastCreate.accumulateAndGet(clock.millis(), (last, now) -> Math.max(last + 1, now));
        return builder(version, input.roomId(), input).originServerTs(ts).depth(1)
                .build(server.serverName(), server.signingKey());
    }

    /** Builds {@code input} on top of {@code head}. */
    Pdu onHead(Input.LocalEvent input, RoomHead head) {
        List<String> authEvents = new ArrayList<>();
        for (StateKey key : AuthEventsSelection.requiredFor(input.type(), input.stateKey(), input.sender(),
                input.content(), head.version())) {
            String id = head.currentState().get(key);
            if (id != null) {
                authEvents.add(id);
            }
        }
        List<String> prevs = head.forwardExtremities();
        if (prevs.size() > MAX_PREV_EVENTS) {
            prevs = prevs.subList(prevs.size() - MAX_PREV_EVENTS, prevs.size());
        }
        return builder(head.version(), head.roomId(), input)
                .prevEvents(prevs)
                .authEvents(authEvents)
                .depth(Math.min(head.maxDepth() + 1, Long.MAX_VALUE - 1))
                .build(server.serverName(), server.signingKey());
    }

    private EventBuilder builder(RoomVersion version, String roomId, Input.LocalEvent input) {
        EventBuilder builder = EventBuilder.in(version, roomId)
                .type(input.type())
                .stateKey(input.stateKey())
                .sender(input.sender())
                .content(input.content())
                .redacts(input.redacts())
                .originServerTs(clock.millis());
        if (!version.eventFormat().eventIdIsHash()) {
            builder.eventId("$" + java.util.UUID.randomUUID().toString().replace("-", "") + ":" + server.serverName());
        }
        return builder;
    }
}
