package org.myelin.server.appservice;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.myelin.protocol.event.Pdu;

/**
 * Which events an application service is sent (application service API, "Pushing events"), as
 * Synapse's {@code is_interested_in_event}: the room is in its room namespace; the sender, or the
 * user a membership is about, is its sender or in its user namespace; an alias of the room is in
 * its alias namespace; or a local member of the room is one of its users. One instance reads one
 * batch of events: what it learns of a room is kept for the batch's other events.
 */
final class EventInterest {

    /** What is known of the rooms: their joined local members and their local aliases. */
    interface Rooms {
        List<String> joinedLocalMembers(String roomId);

        List<String> aliases(String roomId);
    }

    private final AppService service;
    private final Rooms rooms;
    private final Map<String, Boolean> roomsOfInterest = new HashMap<>();

    EventInterest(AppService service, Rooms rooms) {
        this.service = service;
        this.rooms = rooms;
    }

    boolean wants(Pdu event) {
        if (service.isInterestedInUser(event.sender())) {
            return true;
        }
        if ("m.room.member".equals(event.type()) && event.stateKey() != null
                && service.isInterestedInUser(event.stateKey())) {
            return true;
        }
        return wantsRoom(event.roomId());
    }

    /** Whether what happens in {@code roomId} is the service's business (its typing, its receipts). */
    boolean wantsRoom(String roomId) {
        return roomsOfInterest.computeIfAbsent(roomId, this::roomIsOfInterest);
    }

    private boolean roomIsOfInterest(String roomId) {
        if (service.isInterestedInRoom(roomId)) {
            return true;
        }
        if (!service.aliases().isEmpty() && rooms.aliases(roomId).stream().anyMatch(service::isInterestedInAlias)) {
            return true;
        }
        return rooms.joinedLocalMembers(roomId).stream().anyMatch(service::isInterestedInUser);
    }
}
