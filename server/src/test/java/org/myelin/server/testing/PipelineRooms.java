package org.myelin.server.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.server.RoomServices;

/**
 * Rooms made straight through the event pipeline of a test homeserver, for tests of features
 * that need rooms without going through the rooms endpoints: create, the creator's join,
 * power levels, join rules, as createRoom does.
 */
public final class PipelineRooms {

    private final RoomServices rooms;

    public PipelineRooms(TestHomeserver hs) {
        this.rooms = hs.homeserver().rooms();
    }

    /** A room version 12 room created by {@code creator} with {@code joinRule}; returns its id. */
    public String create(String creator, String joinRule) {
        Pdu create = accepted(Input.LocalEvent.state(null, creator, "m.room.create", "",
                content().put("room_version", "12")));
        String roomId = create.roomId();
        join(roomId, creator, content().put("membership", "join"));
        accepted(Input.LocalEvent.state(roomId, creator, "m.room.power_levels", "", content()));
        accepted(Input.LocalEvent.state(roomId, creator, "m.room.join_rules", "", content().put("join_rule", joinRule)));
        return roomId;
    }

    /** Sends {@code user}'s member event with {@code memberContent}. */
    public Pdu join(String roomId, String user, ObjectNode memberContent) {
        return accepted(Input.LocalEvent.state(roomId, user, "m.room.member", user, memberContent));
    }

    /** {@code user} leaves. */
    public Pdu leave(String roomId, String user) {
        return join(roomId, user, content().put("membership", "leave"));
    }

    /** Sends a message event. */
    public Pdu send(String roomId, String sender, String type, ObjectNode content) {
        return accepted(Input.LocalEvent.message(roomId, sender, type, content));
    }

    /** The event in the room's current state at {@code type} and {@code stateKey}. */
    public Pdu currentState(String roomId, String type, String stateKey) {
        String eventId = rooms.heads.get(roomId).orElseThrow().currentState().get(StateKey.of(type, stateKey));
        return eventId == null ? null : rooms.eventCache.get(eventId);
    }

    public static ObjectNode content() {
        return JsonNodeFactory.instance.objectNode();
    }

    private Pdu accepted(Input input) {
        Outcome outcome = rooms.pipeline.submit(input);
        if (!(outcome instanceof Outcome.Accepted a)) {
            throw new AssertionError("expected the event to be accepted, got " + outcome);
        }
        return a.event().pdu();
    }
}
