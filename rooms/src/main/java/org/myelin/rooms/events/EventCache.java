package org.myelin.rooms.events;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.stateres.EventSource;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.StoredEvent;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recently used events by id, in front of the event store. Auth checks and state resolution read
 * the same few state events (create, power levels, join rules, members) over and over.
 */
public final class EventCache implements EventSource {

    private final EventRepository events;
    private final Map<String, StoredEvent> cache;

    public EventCache(EventRepository events, int capacity) {
        this.events = events;
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(capacity, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, StoredEvent> eldest) {
                return size() > capacity;
            }
        });
    }

    /** The event with this id, or null if it is not stored. */
    @Override
    public Pdu get(String eventId) {
        StoredEvent stored = stored(eventId);
        return stored == null ? null : stored.pdu();
    }

    @Override
    public boolean isRejected(String eventId) {
        StoredEvent stored = stored(eventId);
        return stored != null && stored.isRejected();
    }

    /** The stored event with this id, or null. */
    public StoredEvent stored(String eventId) {
        StoredEvent cached = cache.get(eventId);
        if (cached != null) {
            return cached;
        }
        StoredEvent loaded = events.byId(eventId).orElse(null);
        if (loaded != null) {
            cache.put(eventId, loaded);
        }
        return loaded;
    }

    /**
     * The event with this id if it is in memory (being persisted, or recently used), else null;
     * never asks the database.
     */
    public StoredEvent cached(String eventId) {
        return cache.get(eventId);
    }

    /** The stored events among {@code ids}, loading the missing ones in one query. */
    public Map<String, StoredEvent> storedAll(Collection<String> ids) {
        Map<String, StoredEvent> found = new HashMap<>();
        List<String> missing = new java.util.ArrayList<>();
        for (String id : ids) {
            StoredEvent cached = cache.get(id);
            if (cached != null) {
                found.put(id, cached);
            } else {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            Map<String, StoredEvent> loaded = events.byIds(missing);
            loaded.forEach(cache::put);
            found.putAll(loaded);
        }
        return found;
    }

    /** Remembers an event that is being persisted, so lookups need not wait for the commit. */
    public void put(StoredEvent event) {
        cache.put(event.eventId(), event);
    }

    public void remove(String eventId) {
        cache.remove(eventId);
    }
}
