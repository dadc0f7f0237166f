package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.storage.events.ClientTransactionRepository;

import java.util.List;
import java.util.Objects;

/** What enters the one event pipeline: every event, whatever its origin, is one of these. */
public sealed interface Input {

    /**
     * An event a local user asks for: the pipeline builds, hashes and signs it.
     *
     * @param roomId   the room; null only for the create event of a room version whose room id is
     *                 the create event's hash (v12)
     * @param stateKey null for a message event
     * @param redacts  the target of an {@code m.room.redaction}, else null
     * @param transaction the client transaction that asked for it, recorded in the event's own
     *                 database transaction (so a retry finds it however the server stops); or null
     */
    record LocalEvent(String roomId, String sender, String type, String stateKey, ObjectNode content,
                      String redacts, ClientTransactionRepository.Key transaction) implements Input {
        public LocalEvent {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(content, "content");
        }

        public LocalEvent(String roomId, String sender, String type, String stateKey, ObjectNode content,
                          String redacts) {
            this(roomId, sender, type, stateKey, content, redacts, null);
        }

        /** This event, sent for the client transaction {@code key}. */
        public LocalEvent inTransaction(ClientTransactionRepository.Key key) {
            return new LocalEvent(roomId, sender, type, stateKey, content, redacts, key);
        }

        public static LocalEvent message(String roomId, String sender, String type, ObjectNode content) {
            return new LocalEvent(roomId, sender, type, null, content, null);
        }

        public static LocalEvent state(String roomId, String sender, String type, String stateKey, ObjectNode content) {
            return new LocalEvent(roomId, sender, type, Objects.requireNonNull(stateKey, "stateKey"), content, null);
        }
    }

    /** A new event another server sent us ({@code /send}, {@code send_join} …), unchecked. */
    record RemoteEvent(Pdu pdu, String origin) implements Input {
    }

    /** An event fetched only to authorise others (an auth event, a state event), unchecked. */
    record Outlier(Pdu pdu, String origin) implements Input {
    }

    /** Older history fetched with {@code /backfill}, unchecked. */
    record Backfilled(Pdu pdu, String origin) implements Input {
    }

    /**
     * A room joined through another server (server-server API, "Joining Rooms"): the join event
     * (built and signed here, and countersigned by the resident server for a restricted room) with
     * the answer of {@code send_join}: the room's state before the join and its auth chain, all
     * unchecked. Each state and auth chain event is checked and stored as an outlier; the join then
     * enters the room's graph with that state as the state before it and becomes the room's head.
     *
     * @param origin the resident server that answered {@code send_join}
     */
    record JoinedRemoteRoom(Pdu join, List<Pdu> state, List<Pdu> authChain, String origin) implements Input {
        public JoinedRemoteRoom {
            Objects.requireNonNull(join, "join");
            state = List.copyOf(state);
            authChain = List.copyOf(authChain);
            Objects.requireNonNull(origin, "origin");
        }
    }

    /**
     * A local user's membership in a room this server is not in: an invite another server sent
     * ({@code PUT /_matrix/federation/v2/invite}), the leave that rejected one ({@code send_leave}),
     * a knock ({@code send_knock}). Its signatures are checked; it cannot be authorised (this server
     * lacks the room's state), so it is stored as an outlier with a timeline position, where /sync
     * finds it. Stripped room state travels in its {@code unsigned}.
     */
    record OutOfBandMembership(Pdu pdu, String origin) implements Input {
    }
}
