package org.myelin.server.client.spaces;

import com.github.benmanes.caffeine.cache.Cache;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.directory.RemoteDirectory;
import org.myelin.server.http.Routes;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomDirectoryRepository;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Spaces and room summaries, wired by constructors: summaries of this server's rooms, the client
 * hierarchy and room summary, and the hierarchy served to other servers. Other servers are asked
 * through the {@link RemoteHierarchy} federation plugs in ({@link #useRemote}); until then, none.
 */
public final class SpaceServices {

    /** What spaces read: room heads and events, memberships, joined counts, aliases. */
    public record Parts(RoomHeads heads, EventCache events, MembershipRepository memberships,
                        RoomDirectoryRepository directory, LocalServer local,
                        Function<String, RemoteDirectory.Resolved> aliases) {
    }

    public final LocalSummaries summaries;
    public final SpaceHierarchy hierarchy;
    public final RoomSummaries roomSummaries;
    public final ServedHierarchy served;
    private final AtomicReference<RemoteHierarchy> remote = new AtomicReference<>(RemoteHierarchy.NONE);

    public SpaceServices(Parts parts) {
        this.summaries = new LocalSummaries(parts.heads(), parts.events(), parts.memberships(), parts.directory(),
                parts.local());
        RemoteHierarchy delegating = (roomId, via, suggestedOnly) -> via.isEmpty() ? Optional.empty()
                : remote.get().hierarchy(roomId, via, suggestedOnly);
        this.hierarchy = new SpaceHierarchy(summaries, delegating);
        this.roomSummaries = new RoomSummaries(summaries, delegating, parts.memberships(), parts.aliases(),
                parts.local());
        this.served = new ServedHierarchy(summaries);
    }

    /** Federation's hierarchy requests. */
    public void useRemote(RemoteHierarchy hierarchy) {
        remote.set(hierarchy);
    }

    /** The client routes: the hierarchy and room summaries. */
    public List<Routes> routes(Authenticator auth) {
        return List.of(new HierarchyRoutes(hierarchy, auth), new RoomSummaryRoutes(roomSummaries, auth));
    }

    /** The caches of this part's parts, by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return hierarchy.caches();
    }
}
