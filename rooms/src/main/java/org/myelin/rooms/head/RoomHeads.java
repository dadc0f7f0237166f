package org.myelin.rooms.head;

import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.rooms.RoomRepository;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The heads of the rooms this server takes part in, loaded from the store on first use and then
 * kept current by the pipeline. Only the pipeline, holding the room's lock, replaces a head.
 */
public final class RoomHeads {

    private final RoomRepository rooms;
    private final EventStates states;
    private final EventCache events;
    private final Map<String, RoomHead> heads = new ConcurrentHashMap<>();

    public RoomHeads(RoomRepository rooms, EventStates states, EventCache events) {
        this.rooms = rooms;
        this.states = states;
        this.events = events;
    }

    /** The room's head, or empty if this server does not know the room. */
    public Optional<RoomHead> get(String roomId) {
        RoomHead head = heads.get(roomId);
        if (head != null) {
            return Optional.of(head);
        }
        Optional<RoomHead> loaded = load(roomId);
        loaded.ifPresent(h -> heads.putIfAbsent(roomId, h));
        return loaded.map(h -> heads.get(roomId));
    }

    /** Replaces the head; call only under the room's lock. */
    public void set(RoomHead head) {
        heads.put(head.roomId(), head);
    }

    /** Drops the cached head, so the next use reloads what was committed. */
    public void invalidate(String roomId) {
        heads.remove(roomId);
    }

    private Optional<RoomHead> load(String roomId) {
        return rooms.head(roomId).filter(h -> h.currentSnapshotId() != null).map(h -> {
            EventStates.State current = states.load(roomId, h.currentSnapshotId());
            long maxDepth = 0;
            for (StoredEvent e : events.storedAll(h.forwardExtremities()).values()) {
                maxDepth = Math.max(maxDepth, e.pdu().depth());
            }
            return new RoomHead(roomId, h.version(), h.forwardExtremities(), current.entries(), current.snapshot(),
                    maxDepth);
        });
    }
}
