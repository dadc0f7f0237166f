package org.myelin.server.client.rooms;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Relation;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.events.RelationRepository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which events of each room have children whose aggregations are bundled (edits, thread replies,
 * references), in memory, so that turning events into client events asks the store for
 * aggregations only when some of them have any (most events never do). A room's parents are read
 * from the store on first use, then kept current as related events commit; a room forgotten to
 * stay within the bound is read again. A relation a redaction removed may stay here: that costs a
 * look-up, never a wrong answer.
 */
final class RelationIndex {

    private static final int MAX_ROOMS = 10_000;

    /** A room's parents; complete once {@code loaded} is. Commits add to it while it loads. */
    private record Parents(Set<String> ids, CompletableFuture<Void> loaded) {
    }

    private final RelationRepository store;
    private final Cache<String, Parents> byRoom = Caffeine.newBuilder().maximumSize(MAX_ROOMS).recordStats().build();

    RelationIndex(RelationRepository store) {
        this.store = store;
    }

    /** Those of {@code eventIds} (all of {@code roomId}) that may have bundled children. */
    List<String> parentsAmong(String roomId, Collection<String> eventIds) {
        Set<String> parents = parents(roomId);
        List<String> found = new ArrayList<>();
        for (String id : eventIds) {
            if (parents.contains(id)) {
                found.add(id);
            }
        }
        return found;
    }

    /** Reads the rooms of {@code roomIds} not yet in memory, all in one statement. */
    void prepare(Collection<String> roomIds) {
        Map<String, Parents> fresh = new HashMap<>();
        for (String roomId : roomIds) {
            if (byRoom.getIfPresent(roomId) != null) {
                continue; // known: most rooms of an incremental sync
            }
            Parents entry = new Parents(ConcurrentHashMap.newKeySet(), new CompletableFuture<>());
            if (byRoom.get(roomId, id -> entry) == entry) {
                fresh.put(roomId, entry);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        try {
            Map<String, Set<String>> found = store.parentsIn(fresh.keySet());
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

    /** The persister's commit listener: a committed child adds its parent to a known room. */
    void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            if (!e.visible()) {
                continue;
            }
            Relation.of(e.pdu()).filter(r -> RelationRepository.BUNDLED.contains(r.relType())).ifPresent(r -> {
                Parents known = byRoom.asMap().get(e.pdu().roomId()); // not a lookup of a reader: no hit or miss
                if (known != null) {
                    known.ids().add(r.parentId());
                }
            });
        }
    }

    private Set<String> parents(String roomId) {
        Parents fresh = new Parents(ConcurrentHashMap.newKeySet(), new CompletableFuture<>());
        // Registered before the store is read: a child committed meanwhile is either read or added.
        Parents known = byRoom.get(roomId, id -> fresh);
        if (known != fresh) {
            known.loaded().join();
            return known.ids();
        }
        try {
            fresh.ids().addAll(store.parentsIn(roomId));
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
        return Map.of("relation_parents", byRoom);
    }
}
