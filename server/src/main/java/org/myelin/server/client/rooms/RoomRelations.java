package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.events.RelationRepository;
import org.myelin.storage.events.StoredEvent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parent event's children ({@code /relations}) and a room's threads ({@code /threads}), as the
 * user may see them (client-server API, "Relationships", "Threading"), each event with its
 * bundled aggregations. Children page in stream order with {@link TimelineToken}s, so a
 * {@code /messages} or {@code /sync} token bounds a page too; threads page by the position of
 * their latest reply.
 */
public final class RoomRelations {

    /** Synapse's default page sizes for both endpoints. */
    static final int DEFAULT_LIMIT = 5;
    static final int MAX_LIMIT = 1000;
    static final int MAX_THREADS = 100;

    /** The body of {@code /relations}. */
    public record Children(List<ObjectNode> chunk, String nextBatch, String prevBatch, Integer recursionDepth) {
    }

    /** The body of {@code /threads}. */
    public record Threads(List<ObjectNode> chunk, String nextBatch) {
    }

    /**
     * A {@code /relations} request.
     *
     * @param relType   only this relation type, or null
     * @param eventType only this event type (with {@code relType}), or null
     * @param from      where to start, or null
     * @param to        where to stop, or null
     */
    public record ChildrenRequest(String roomId, String eventId, String relType, String eventType,
                                  TimelineToken from, TimelineToken to, boolean backwards, int limit,
                                  boolean recurse) {
    }

    private final RoomAccess access;
    private final RelationRepository relations;
    private final EventCache events;
    private final EventVisibility visibility;
    private final ClientEvents format;

    RoomRelations(RoomAccess access, RelationRepository relations, EventCache events, EventVisibility visibility,
                  ClientEvents format) {
        this.access = access;
        this.relations = relations;
        this.events = events;
        this.visibility = visibility;
        this.format = format;
    }

    /**
     * The children of a parent the user may see: 403 if the user may not read the room or see the
     * parent, 404 if the parent is not an event of the room. A redacted parent's edits are left
     * out (they would give its content back).
     */
    public Children children(Requester requester, ChildrenRequest r) {
        access.requireCanRead(r.roomId(), requester.userId());
        StoredEvent parent = events.stored(r.eventId());
        if (parent == null || !parent.pdu().roomId().equals(r.roomId()) || !parent.isVisibleInTimeline()) {
            throw MatrixException.notFound("Unknown parent event.");
        }
        if (!visibility.canSee(requester.userId(), parent)) {
            throw MatrixException.forbidden("You don't have permission to access that event");
        }
        int limit = Math.clamp(r.limit(), 0, MAX_LIMIT);
        List<StoredEvent> page = limit == 0 ? List.of() : relations.children(new RelationRepository.ChildrenQuery(
                r.roomId(), r.eventId(), r.relType(), r.eventType(), r.from() == null ? null : r.from().position(),
                r.to() == null ? null : r.to().position(), limit + 1, r.backwards(), r.recurse(),
                format.isRedacted(parent.pdu())));
        String next = null;
        if (page.size() > limit) {
            page = page.subList(0, limit);
            long last = page.getLast().streamOrdering();
            next = (r.backwards() ? TimelineToken.before(last) : TimelineToken.after(last)).toString();
        }
        List<StoredEvent> visible = visibility.filter(requester.userId(), page);
        return new Children(format(visible, requester), next, r.from() == null ? null : r.from().toString(),
                r.recurse() ? RelationRepository.RECURSION_DEPTH : null);
    }

    /**
     * The room's threads, latest activity first, from {@code from} (a {@code next_batch}; null:
     * the newest): all, or only those the user started or replied to.
     */
    public Threads threads(Requester requester, String roomId, boolean participatedOnly, String from, int limit) {
        access.requireCanRead(roomId, requester.userId());
        int max = Math.clamp(limit, 1, MAX_THREADS);
        Map<String, Long> found = relations.threads(roomId, from == null ? null : threadPosition(from), max + 1,
                participatedOnly ? requester.userId() : null);
        String next = null;
        List<String> roots = new ArrayList<>(found.keySet());
        if (roots.size() > max) {
            roots = roots.subList(0, max);
            next = "t" + found.get(roots.getLast());
        }
        Map<String, StoredEvent> stored = events.storedAll(roots);
        List<StoredEvent> candidates = new ArrayList<>();
        for (String root : roots) {
            StoredEvent event = stored.get(root);
            if (event != null && event.pdu().roomId().equals(roomId) && event.isVisibleInTimeline()) {
                candidates.add(event);
            }
        }
        return new Threads(format(visibility.filter(requester.userId(), candidates), requester), next);
    }

    /** A {@code /threads} token: {@code t} and the position of the last thread's latest reply. */
    private static long threadPosition(String token) {
        if (token.length() < 2 || token.charAt(0) != 't') {
            throw MatrixException.invalidParam("Invalid threads token: " + token);
        }
        try {
            return Long.parseLong(token.substring(1));
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Invalid threads token: " + token);
        }
    }

    private List<ObjectNode> format(List<StoredEvent> page, Requester requester) {
        Map<String, Pdu> pdus = new LinkedHashMap<>();
        page.forEach(e -> pdus.put(e.eventId(), e.pdu()));
        return format.format(pdus.values(), requester.userId(), requester.deviceId());
    }
}
