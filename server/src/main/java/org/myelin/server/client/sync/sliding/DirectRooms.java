package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.server.client.accountdata.AccountData;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A user's direct-message rooms: those their global {@code m.direct} account data names
 * (client-server API, "Direct Messaging"), as Synapse reads it for sliding sync's {@code is_dm}
 * (the invitee's {@code is_direct} alone does not tell the inviter). Entries that are not lists
 * of strings are ignored. Kept per user until their account data changes.
 */
final class DirectRooms {

    private static final int MAX_USERS = 50_000;

    private record Entry(long asOf, Set<String> rooms) {
    }

    private final AccountData accountData;
    private final Streams streams;
    private final StreamChangeCache changes;
    private final Cache<String, Entry> known = Caffeine.newBuilder().recordStats().maximumSize(MAX_USERS).build();

    DirectRooms(AccountData accountData, Streams streams) {
        this.accountData = accountData;
        this.streams = streams;
        this.changes = streams.changes(StreamId.ACCOUNT_DATA);
    }

    Set<String> of(String userId) {
        Entry e = known.getIfPresent(userId);
        if (e != null && changes.lastChangeOrEarliest(userId) <= e.asOf()) {
            return e.rooms();
        }
        long asOf = streams.position(StreamId.ACCOUNT_DATA);
        Set<String> rooms = new HashSet<>();
        accountData.get(userId, null, "m.direct").ifPresent(direct -> direct.properties().forEach(entry -> {
            if (entry.getValue().isArray()) {
                for (JsonNode roomId : entry.getValue()) {
                    if (roomId.isTextual()) {
                        rooms.add(roomId.textValue());
                    }
                }
            }
        }));
        Set<String> copy = Set.copyOf(rooms);
        known.put(userId, new Entry(asOf, copy));
        return copy;
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("sliding_direct_rooms", known);
    }
}
