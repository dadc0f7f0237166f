package org.myelin.rooms.pipeline;

import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomLocks;
import org.myelin.storage.rooms.RoomRepository;
import org.myelin.storage.state.StateSnapshot;

import java.util.List;
import java.util.Map;

/**
 * A new room from a local create event: every create makes a room of its own. The room id is
 * claimed in the store before anything is built on it, since a create event for a room that
 * exists would start its graph over. Where the id is the create event's hash (room version 12,
 * "Room IDs"), one user's creates with the same content would otherwise name one room: each is
 * stamped later than the last ({@link BuildEvent#create}), and an id taken already (by a room made
 * before a restart, or by another process) is no refusal: the create is built again, a
 * millisecond later, until its id is new.
 */
final class CreateRoom {

    /** How many create events are built for one new room before its id counts as taken. */
    private static final int MAX_ATTEMPTS = 64;

    private final BuildEvent build;
    private final Authorize authorize;
    private final RoomRepository rooms;
    private final RoomLocks locks;
    private final Persist persist;

    CreateRoom(BuildEvent build, Authorize authorize, RoomRepository rooms, RoomLocks locks, Persist persist) {
        this.build = build;
        this.authorize = authorize;
        this.rooms = rooms;
        this.locks = locks;
        this.persist = persist;
    }

    /** Builds, claims and commits the create event of {@code input}; its outcome once committed. */
    Outcome create(Input.LocalEvent input) {
        Pdu create = build.create(input);
        AuthResult auth = authorize.againstState(create, Map.of());
        if (auth instanceof AuthResult.Rejected r) {
            return new Outcome.Rejected(create.eventId(), r.rule(), r.reason());
        }
        for (int attempt = 1; !rooms.create(create.roomId(), create.roomVersion(), create.originServerTs());
             attempt++) {
            if (input.roomId() != null || attempt >= MAX_ATTEMPTS) {
                return new Outcome.Rejected(create.eventId(), "1.1", "room " + create.roomId() + " exists already");
            }
            create = build.create(input);
        }
        Pdu created = create;
        return locks.withLock(created.roomId(), () -> {
            EventStates.State empty = new EventStates.State(StateSnapshot.full(created.roomId(), Map.of()), Map.of());
            EventStates.State after = ResolveState.after(created, empty);
            RoomHead head = new RoomHead(created.roomId(), created.roomVersion(), List.of(), Map.of(),
                    empty.snapshot(), 0);
            return persist.live(new Persist.Live(created, head, empty, after, List.of(created.eventId()), after,
                    false));
        }).join();
    }
}
