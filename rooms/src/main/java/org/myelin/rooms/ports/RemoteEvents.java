package org.myelin.rooms.ports;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersion;

import java.util.List;
import java.util.Optional;

/**
 * Fetching what the pipeline lacks from other servers (server-server API: {@code /event},
 * {@code /get_missing_events}, {@code /state_ids}). Declared here, implemented by federation.
 */
public interface RemoteEvents {

    /** One event by id from {@code server}, unchecked; empty if the server does not give it. */
    Optional<Pdu> event(String server, RoomVersion version, String eventId);

    /**
     * The events between what we have ({@code earliest}) and {@code latest}, oldest first,
     * from {@code server}'s {@code /get_missing_events}.
     */
    List<Pdu> missingEvents(String server, RoomVersion version, String roomId, List<String> earliest,
                            List<String> latest, int limit);

    /** The state before {@code eventId} and its auth chain, from {@code server}. */
    Optional<RemoteState> stateBefore(String server, RoomVersion version, String roomId, String eventId);

    /** A room's state at an event and the auth chain of that state, unchecked. */
    record RemoteState(List<Pdu> state, List<Pdu> authChain) {
    }

    /** For a server that does not federate: nothing can be fetched. */
    RemoteEvents NONE = new RemoteEvents() {
        @Override
        public Optional<Pdu> event(String server, RoomVersion version, String eventId) {
            return Optional.empty();
        }

        @Override
        public List<Pdu> missingEvents(String server, RoomVersion version, String roomId, List<String> earliest,
                                       List<String> latest, int limit) {
            return List.of();
        }

        @Override
        public Optional<RemoteState> stateBefore(String server, RoomVersion version, String roomId, String eventId) {
            return Optional.empty();
        }
    };
}
