package org.myelin.server.client.spaces;

import com.github.benmanes.caffeine.cache.Cache;
import org.myelin.server.http.MatrixException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /_matrix/client/v1/rooms/{roomId}/hierarchy} (client-server API, "Spaces"): the
 * space tree under a room, depth first, in pages. Each room visited is given when the requester
 * may see it ({@link LocalSummaries} for rooms this server is in; for others, what a server in
 * them answers through {@link RemoteHierarchy}, seen when it is public, knockable, world readable,
 * or the requester is in a room its join rule allows or is invited), and its children (the
 * {@code m.space.child} events with a {@code via}) are visited next, down to {@code max_depth}.
 * A room is visited once, whatever loops the tree has. As in Synapse: at most 50 rooms a page,
 * 50 children a space, and three of a child's {@code via} servers asked.
 */
public final class SpaceHierarchy {

    /** Most rooms in one page, whatever the client asks, and the default. */
    static final int MAX_ROOMS = 50;
    /** Most children of one space given and visited. */
    static final int MAX_CHILDREN = 50;
    /** Most servers of a child's {@code via} asked about it. */
    static final int MAX_VIA = 3;

    /** What the client asked: {@code suggested_only}, {@code max_depth}, {@code limit}, {@code from} (nulls: not given). */
    public record Request(boolean suggestedOnly, Integer maxDepth, Integer limit, String from) {
        public Request {
            if (maxDepth != null && maxDepth < 0) {
                throw MatrixException.invalidParam("max_depth must be a non-negative integer");
            }
            if (limit != null && limit <= 0) {
                throw MatrixException.invalidParam("limit must be an integer greater than zero");
            }
        }
    }

    /** A page: its rooms, and the token of the next one (null after the last). */
    public record Page(List<HierarchyRoom> rooms, String nextBatch) {
    }

    private final LocalSummaries local;
    private final RemoteHierarchy remote;
    private final HierarchyPages pages = new HierarchyPages();

    public SpaceHierarchy(LocalSummaries local, RemoteHierarchy remote) {
        this.local = local;
        this.remote = remote;
    }

    /** One page of the tree under {@code roomId} for {@code userId}; 403 when the requester may not see that room. */
    public Page page(String userId, String roomId, Request request) {
        if (!local.isJoinedHere(roomId) || !local.visibleTo(roomId, userId)) {
            // Synapse asks other servers only when told of some (MSC4235's via); the spec names none.
            throw MatrixException.forbidden("You are not allowed to view room " + roomId);
        }
        List<HierarchyPages.Queued> queue = new ArrayList<>();
        Set<String> visited = new HashSet<>();
        if (request.from() != null) {
            HierarchyPages.Walk walk = pages.find(request.from())
                    .filter(w -> w.sameRequest(userId, roomId, request.suggestedOnly(), request.maxDepth()))
                    .orElseThrow(() -> MatrixException.invalidParam(
                            "Unknown pagination token, or suggested_only or max_depth changed during pagination"));
            queue.addAll(walk.queue());
            visited.addAll(walk.visited());
        } else {
            queue.add(new HierarchyPages.Queued(roomId, List.of(), 0, null));
        }
        int limit = request.limit() == null ? MAX_ROOMS : Math.min(request.limit(), MAX_ROOMS);
        List<HierarchyRoom> rooms = new ArrayList<>();
        while (!queue.isEmpty() && rooms.size() < limit) {
            HierarchyPages.Queued next = queue.removeLast();
            if (!visited.add(next.roomId())) {
                continue;
            }
            Visit visit = visit(userId, next, request);
            if (visit.room().isEmpty()) {
                continue;
            }
            HierarchyRoom room = visit.room().get();
            rooms.add(room);
            if (request.maxDepth() == null || next.depth() < request.maxDepth()) {
                // Last in, first out: the first child is visited next.
                for (SpaceChild child : room.childrenState().reversed()) {
                    if (SpaceChild.TYPE.equals(child.type()) && !visit.inaccessible().contains(child.stateKey())) {
                        queue.add(new HierarchyPages.Queued(child.stateKey(), child.via(), next.depth() + 1,
                                visit.children().get(child.stateKey())));
                    }
                }
            }
        }
        String nextBatch = queue.isEmpty() ? null : pages.keep(new HierarchyPages.Walk(userId, roomId,
                request.suggestedOnly(), request.maxDepth(), queue, visited));
        return new Page(rooms, nextBatch);
    }

    /**
     * What visiting a room found: the room, if the requester may see it, and what its server said
     * of its children (nothing for a room of this server's).
     */
    private record Visit(Optional<HierarchyRoom> room, Map<String, RoomSummary> children, Set<String> inaccessible) {
        static final Visit NOTHING = new Visit(Optional.empty(), Map.of(), Set.of());
    }

    private Visit visit(String userId, HierarchyPages.Queued queued, Request request) {
        String roomId = queued.roomId();
        if (local.isJoinedHere(roomId)) {
            if (!local.visibleTo(roomId, userId)) {
                return Visit.NOTHING;
            }
            return local.summary(roomId).map(summary -> new Visit(Optional.of(new HierarchyRoom(summary,
                    summary.isSpace() ? local.children(roomId, request.suggestedOnly(), MAX_CHILDREN) : List.of())),
                    Map.of(), Set.of())).orElse(Visit.NOTHING);
        }
        boolean deepest = request.maxDepth() != null && queued.depth() >= request.maxDepth();
        Visit visit;
        if (queued.remote() != null && (!queued.remote().isSpace() || deepest)) {
            // What the parent's server said is enough: no children to find.
            visit = new Visit(Optional.of(new HierarchyRoom(queued.remote(), List.of())), Map.of(), Set.of());
        } else {
            visit = remote.hierarchy(roomId, queued.via().subList(0, Math.min(MAX_VIA, queued.via().size())),
                            request.suggestedOnly())
                    .map(space -> new Visit(Optional.of(new HierarchyRoom(space.room(), space.room().isSpace()
                            ? space.childrenState().subList(0, Math.min(MAX_CHILDREN, space.childrenState().size()))
                            : List.of())), space.children(), space.inaccessible()))
                    .orElse(Visit.NOTHING);
        }
        boolean visible = visit.room().filter(r -> local.describedRoomVisibleTo(r.summary(), userId)).isPresent();
        return visible ? visit : Visit.NOTHING;
    }

    /** The caches of this part's parts, by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return pages.caches();
    }
}
