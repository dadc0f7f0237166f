package org.myelin.rooms.events;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.stateres.EventSource;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.StoredEvent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events by id, in front of the event store, in two parts. Events decided and queued for their
 * commit ({@link #pending}) are held until the commit says what became of them: the store does
 * not have them yet, so an event forgotten here would be missing from the auth checks and state
 * resolutions of the events built on it. Committed events are kept while recently used (a
 * bounded Caffeine cache): auth checks and state resolution read the same few state events
 * (create, power levels, join rules, members) over and over. The server bounds them by their
 * size in memory ({@link #within}), not their number: fifty thousand events of a few kilobytes
 * each were half a gigabyte kept for good, and events may be up to 64 KiB.
 */
public final class EventCache implements EventSource {

    private final EventRepository events;
    private final Cache<String, StoredEvent> committed;
    private final Map<String, StoredEvent> pending = new ConcurrentHashMap<>();

    /** @param capacity how many committed events are kept */
    public EventCache(EventRepository events, int capacity) {
        this(events, Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build());
    }

    private EventCache(EventRepository events, Cache<String, StoredEvent> committed) {
        this.events = events;
        this.committed = committed;
    }

    /** The committed events' cache, for its size and hit rate in the metrics. */
    public Cache<String, ?> committedCache() {
        return committed;
    }

    /** A cache keeping committed events up to about {@code bytes} of memory. */
    public static EventCache within(EventRepository events, long bytes) {
        return new EventCache(events, Caffeine.newBuilder()
                .maximumWeight(bytes)
                .executor(Runnable::run)
                .recordStats() // hits and misses for the metrics; a few adders, read only when scraped
                .weigher((String id, StoredEvent e) -> estimatedBytes(e.pdu().json()))
                .build());
    }

    /**
     * About what an event parsed into a JSON tree takes in memory: its text twice over (the
     * tree's strings and the bytes kept beside them) and each node's objects.
     */
    static int estimatedBytes(JsonNode json) {
        long bytes = 256;
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(json);
        while (!todo.isEmpty()) {
            JsonNode node = todo.pop();
            bytes += 48;
            if (node.isTextual()) {
                bytes += 3L * node.textValue().length();
            } else if (node.isObject()) {
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    bytes += 48 + 3L * field.getKey().length();
                    todo.push(field.getValue());
                }
            } else if (node.isArray()) {
                node.forEach(todo::push);
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
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

    /** The stored (or queued) event with this id, or null. */
    public StoredEvent stored(String eventId) {
        StoredEvent known = cached(eventId);
        if (known != null) {
            return known;
        }
        StoredEvent loaded = events.byId(eventId).orElse(null);
        if (loaded != null) {
            committed.put(eventId, loaded);
        }
        return loaded;
    }

    /**
     * The event with this id if it is in memory (queued for its commit, or recently used), else
     * null; never asks the database.
     */
    public StoredEvent cached(String eventId) {
        StoredEvent queued = pending.get(eventId);
        return queued != null ? queued : committed.getIfPresent(eventId);
    }

    /** The stored (or queued) events among {@code ids}, loading the missing ones in one query. */
    public Map<String, StoredEvent> storedAll(Collection<String> ids) {
        Map<String, StoredEvent> found = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            StoredEvent known = cached(id);
            if (known != null) {
                found.put(id, known);
            } else {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            Map<String, StoredEvent> loaded = events.byIds(missing);
            committed.putAll(loaded);
            found.putAll(loaded);
        }
        return found;
    }

    /**
     * Holds an event decided and queued for its commit, so that lookups need not wait for it;
     * kept whatever the load until {@link #committed} or {@link #remove}.
     */
    public void pending(StoredEvent event) {
        pending.put(event.eventId(), event);
    }

    /** An event as committed: no longer held, kept while recently used. */
    public void committed(StoredEvent event) {
        committed.put(event.eventId(), event);
        pending.remove(event.eventId());
    }

    /** Forgets an event (its commit failed, or it is to be read back from the store). */
    public void remove(String eventId) {
        pending.remove(eventId);
        committed.invalidate(eventId);
    }

    /** How many events are held for their commit. */
    public int pendingCount() {
        return pending.size();
    }

    /** How many committed events are kept now. */
    long committedCount() {
        return committed.estimatedSize();
    }
}
