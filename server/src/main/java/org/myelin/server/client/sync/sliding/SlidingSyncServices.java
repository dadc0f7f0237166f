package org.myelin.server.client.sync.sliding;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.HashMap;
import java.util.Map;
import org.myelin.server.RoomServices;
import org.myelin.server.client.spaces.LocalSummaries;
import org.myelin.server.client.sync.SyncServices;
import org.myelin.server.streams.StreamId;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.sync.RoomSyncQueries;
import org.myelin.storage.sync.SlidingSyncQueries;

import javax.sql.DataSource;

/**
 * Sliding sync (MSC4186) wired by constructors on top of /sync's parts ({@link SyncServices.Shared}),
 * so that the timeline window, state, counts, to-device delivery and the other streams have one
 * implementation each; the connections are kept in this process's memory.
 */
public final class SlidingSyncServices {

    public final SlidingSync sync;
    private final Map<String, Cache<?, ?>> caches = new HashMap<>();

    public SlidingSyncServices(RoomServices rooms, DataSource dataSource, SyncServices.Shared shared,
                               LocalSummaries spaces) {
        SlidingSyncQueries queries = new SlidingSyncQueries(dataSource);
        RoomTraitsCache traits = new RoomTraitsCache(queries, rooms.streams);
        DirectRooms directRooms = new DirectRooms(shared.accountData(), rooms.streams);
        InMemoryConnections connections = new InMemoryConnections();
        rooms.onCommit(traits::committed);
        RoomLists lists = new RoomLists(new RoomLists.Parts(shared.memberships(), traits,
                directRooms,
                new RoomListFilters(shared.stripped(), rooms.eventCache, spaces),
                rooms.streams.changes(StreamId.TIMELINE), new RoomSyncQueries(dataSource),
                shared.accountData().ignoredUsers()));
        RoomResults results = new RoomResults(new RoomResults.Parts(shared.windows(), shared.states(),
                shared.summaries(), shared.counts(), shared.format(), shared.stripped(), rooms.eventCache, traits));
        SlidingExtensions extensions = new SlidingExtensions(new SlidingExtensions.Parts(shared.toDevice(),
                shared.deviceLists(), shared.keyCounts(),
                new AccountDataExtension(new AccountDataRepository(dataSource), shared.accountData(),
                        rooms.streams.changes(StreamId.ACCOUNT_DATA)),
                new ReceiptsExtension(shared.ephemerals(), queries), shared.ephemerals()));
        this.sync = new SlidingSync(new SlidingSync.Parts(rooms.streams, rooms.notifier, shared.memberships(), lists,
                results, extensions, connections));
        caches.putAll(traits.caches());
        caches.putAll(directRooms.caches());
        caches.putAll(connections.caches());
    }

    /** Sliding sync's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.copyOf(caches);
    }
}
