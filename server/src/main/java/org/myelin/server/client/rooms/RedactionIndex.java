package org.myelin.server.client.rooms;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Pdu;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.rooms.RedactedEvents;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which events of each room a redaction names, in memory, so that turning events into client
 * events asks the store for redactions only when some of them have one (most events never do).
 * A room's targets are read from the store on first use, then kept current as redactions commit;
 * a room forgotten to stay within the bound is read again.
 */
final class RedactionIndex {

    private static final int MAX_ROOMS = 10_000;

    /** A room's targets; complete once {@code loaded} is. Commits add to it while it loads. */
    private record Targets(Set<String> ids, CompletableFuture<Void> loaded) {
    }

    private final RedactedEvents store;
    private final Cache<String, Targets> byRoom = Caffeine.newBuilder().maximumSize(MAX_ROOMS).recordStats().build();

    RedactionIndex(RedactedEvents store) {
        this.store = store;
    }

    /** Whether a redaction in {@code roomId} may name one of {@code eventIds}. */
    boolean anyNamed(String roomId, Collection<String> eventIds) {
        Set<String> targets = targets(roomId);
        for (String id : eventIds) {
            if (targets.contains(id)) {
                return true;
            }
        }
        return false;
    }

    /** Reads the rooms of {@code roomIds} not yet in memory, all in one statement. */
    void prepare(Collection<String> roomIds) {
        Map<String, Targets> fresh = new HashMap<>();
        for (String roomId : roomIds) {
            if (byRoom.getIfPresent(roomId) != null) {
                continue; // known: most rooms of an incremental sync
            }
            Targets entry = new Targets(ConcurrentHashMap.newKeySet(), new CompletableFuture<>());
            if (byRoom.get(roomId, id -> entry) == entry) {
                fresh.put(roomId, entry);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        try {
            Map<String, Set<String>> found = store.targetsIn(fresh.keySet());
            fresh.forEach((roomId, entry) -> {
                entry.ids().addAll(found.getOrDefault(roomId, Set.of()));
                entry.loaded().complete(null);
            });
        } catch (RuntimeException e) {
            fresh.forEach((roomId, entry) -> {
                byRoom.asMap().remove(roomId, entry);
                entry.loaded().completeExceptionally(e);
            });
            throw e;
        }
    }

    /** The persister's commit listener: a committed redaction adds its target to a known room. */
    void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            Pdu pdu = e.pdu();
            if (e.visible() && pdu.redacts() != null && "m.room.redaction".equals(pdu.type())) {
                Targets known = byRoom.asMap().get(pdu.roomId()); // not a lookup of a reader: no hit or miss
                if (known != null) {
                    known.ids().add(pdu.redacts());
                }
            }
        }
    }

    private Set<String> targets(String roomId) {
        Targets fresh = new Targets(ConcurrentHashMap.newKeySet(), new CompletableFuture<>());
        // Registered before the store is read: a redaction committed meanwhile is either read or added.
        Targets known = byRoom.get(roomId, id -> fresh);
        if (known != fresh) {
            known.loaded().join();
            return known.ids();
        }
        try {
            fresh.ids().addAll(store.targetsIn(roomId));
            fresh.loaded().complete(null);
            return fresh.ids();
        } catch (RuntimeException e) {
            byRoom.asMap().remove(roomId, fresh);
            fresh.loaded().completeExceptionally(e);
            throw e;
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("redaction_targets", byRoom);
    }
}
