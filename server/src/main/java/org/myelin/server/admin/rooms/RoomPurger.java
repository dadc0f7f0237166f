package org.myelin.server.admin.rooms;

import java.util.List;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.storage.rooms.RoomPurge;
import org.myelin.storage.rooms.RoomRepository;

/**
 * Removes a room from the database ({@link RoomPurge}) and from every cache that held it: its head,
 * its version, its events and their states, its recent timeline.
 *
 * <p>PDUs of the room still queued for other servers go too, so a member's leave sent just before
 * may not reach other servers (Synapse's purge has the same race). The purge takes no room lock:
 * it runs after every local member left, when this server is no longer in the room and other
 * servers no longer send it the room's events; one arriving in the same instant could leave a row.
 */
final class RoomPurger {

    private final RoomPurge purge;
    private final RoomRepository rooms;
    private final RoomHeads heads;
    private final EventCache events;
    private final EventStates states;
    private final RecentTimeline recent;

    RoomPurger(RoomPurge purge, RoomRepository rooms, RoomHeads heads, EventCache events, EventStates states,
               RecentTimeline recent) {
        this.purge = purge;
        this.rooms = rooms;
        this.heads = heads;
        this.events = events;
        this.states = states;
        this.recent = recent;
    }

    void purge(String roomId) {
        List<String> eventIds = purge.purge(roomId);
        heads.invalidate(roomId);
        rooms.forget(roomId);
        recent.forget(roomId);
        for (String id : eventIds) {
            events.remove(id);
            states.forget(id);
        }
    }
}
