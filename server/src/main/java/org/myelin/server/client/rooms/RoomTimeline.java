package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineFilter;
import org.myelin.storage.events.TimelineRepository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reading a room's timeline (client-server API, "Getting events for a room"): one event,
 * pages of events ({@code /messages}), an event with its surroundings ({@code /context}), a
 * room's latest events ({@code /initialSync}). Pages are in stream order with {@link TimelineToken}s; history
 * visibility ({@link EventVisibility}) decides which events of a page the user sees.
 */
public final class RoomTimeline {

    /** The most events one page returns, whatever the client asks. */
    static final int MAX_LIMIT = 1000;

    /** A page of {@code /messages}. {@code end} is null when there is nothing further. */
    public record Page(List<ObjectNode> chunk, String start, String end, List<ObjectNode> state) {
    }

    /** The body of {@code /context}. */
    public record Context(String start, String end, List<ObjectNode> eventsBefore, ObjectNode event,
                          List<ObjectNode> eventsAfter, List<ObjectNode> state) {
    }

    /** The events around one, as a search result's {@code context} carries them. */
    public record Around(String start, String end, List<ObjectNode> eventsBefore, List<ObjectNode> eventsAfter) {
    }

    /** The body of {@code /timestamp_to_event} ({@link TimestampLookup}). */
    public record Closest(String eventId, long originServerTs) {
    }

    /**
     * The latest events of a room up to a position, oldest first, as {@code /initialSync} shows
     * them, and the position just before the oldest event read (whether or not the user may see
     * it): where paging back continues.
     */
    public record Latest(List<ObjectNode> chunk, long startPosition) {
    }

    private final RoomAccess access;
    private final TimelineRepository timeline;
    private final EventCache events;
    private final EventVisibility visibility;
    private final ClientEvents format;

    public RoomTimeline(RoomAccess access, TimelineRepository timeline, EventCache events,
                        EventVisibility visibility, ClientEvents format) {
        this.access = access;
        this.timeline = timeline;
        this.events = events;
        this.visibility = visibility;
        this.format = format;
    }

    /** One event; 404 if unknown, not in the room, or not visible to the user (as the spec asks). */
    public ObjectNode event(Requester requester, String roomId, String eventId) {
        StoredEvent event = find(roomId, eventId);
        if (!visibility.canSee(requester.userId(), event)) {
            throw MatrixException.notFound("Event not found");
        }
        return format.format(event.pdu(), requester.userId(), requester.deviceId());
    }

    /**
     * {@code GET /_matrix/client/v3/events/{eventId}}: one event of any room, if the user may see
     * it; 404 otherwise, whether it is unknown or hidden (as the spec says for this endpoint).
     */
    public ObjectNode event(Requester requester, String eventId) {
        StoredEvent event = events.stored(eventId);
        if (event == null || !event.isVisibleInTimeline() || !visibility.canSee(requester.userId(), event)) {
            throw MatrixException.notFound("Event not found");
        }
        return format.format(event.pdu(), requester.userId(), requester.deviceId());
    }

    /**
     * Up to {@code limit} of the room's latest events at or before position {@code upTo} that the
     * user may see, oldest first. Access to the room is the caller's concern.
     */
    public Latest latest(Requester requester, String roomId, long upTo, int limit) {
        List<StoredEvent> newestFirst = limit <= 0 ? List.of()
                : timeline.page(roomId, upTo, null, Math.min(limit, MAX_LIMIT), true, TimelineFilter.ALL);
        long start = newestFirst.isEmpty() ? upTo : newestFirst.getLast().streamOrdering() - 1;
        List<StoredEvent> visible = new ArrayList<>(visibility.filter(requester.userId(), newestFirst));
        java.util.Collections.reverse(visible);
        return new Latest(format(visible, requester), start);
    }

    /**
     * A page of events from {@code from} (null: the end of the timeline backwards, its start
     * forwards), not past {@code to}.
     */
    public Page messages(Requester requester, String roomId, TimelineToken from, TimelineToken to,
                         boolean backwards, int limit, RoomEventFilter filter) {
        access.requireCanRead(roomId, requester.userId());
        long start = from != null ? from.position() : backwards ? Long.MAX_VALUE : Long.MIN_VALUE;
        int max = Math.clamp(limit, 1, MAX_LIMIT);
        List<StoredEvent> page = timeline.page(roomId, start, to == null ? null : to.position(), max, backwards,
                filter.timeline());
        List<StoredEvent> visible = visibility.filter(requester.userId(), page);
        String end = null;
        if (page.size() == max) {
            long last = page.getLast().streamOrdering();
            end = (backwards ? TimelineToken.before(last) : TimelineToken.after(last)).toString();
        }
        String startToken = from != null ? from.toString()
                : page.isEmpty() ? new TimelineToken(start).toString()
                : (backwards ? TimelineToken.after(page.getFirst().streamOrdering())
                        : TimelineToken.before(page.getFirst().streamOrdering())).toString();
        List<ObjectNode> state = null;
        if (filter.lazyLoads() && !visible.isEmpty()) {
            state = memberEvents(roomId, requester, visible.getFirst().eventId(), senders(visible));
        }
        return new Page(format(visible, requester), startToken, end, state);
    }

    /** {@code /context}: the event, up to {@code limit} events around it, and the state after the last. */
    public Context context(Requester requester, String roomId, String eventId, int limit, RoomEventFilter filter) {
        StoredEvent event = find(roomId, eventId);
        if (!visibility.canSee(requester.userId(), event)) {
            throw MatrixException.forbidden("You don't have permission to access that event");
        }
        int max = Math.clamp(limit, 0, MAX_LIMIT);
        Surroundings around = surroundings(event, max / 2, max - max / 2, filter.timeline());
        List<StoredEvent> visibleBefore = visibility.filter(requester.userId(), around.before());
        List<StoredEvent> visibleAfter = visibility.filter(requester.userId(), around.after());
        String lastId = around.after().isEmpty() ? eventId : around.after().getLast().eventId();
        Map<StateKey, String> state = access.stateAfter(roomId, lastId).orElse(Map.of());
        List<Pdu> stateEvents = new ArrayList<>();
        Set<String> lazySenders = null;
        if (filter.lazyLoads()) {
            List<StoredEvent> all = new ArrayList<>(visibleBefore);
            all.add(event);
            all.addAll(visibleAfter);
            lazySenders = senders(all);
        }
        for (Map.Entry<StateKey, String> entry : state.entrySet()) {
            StateKey key = entry.getKey();
            boolean wanted = lazySenders == null || key.type().equals(StateKey.MEMBER) && lazySenders.contains(key.stateKey());
            Pdu pdu = wanted ? events.get(entry.getValue()) : null;
            if (pdu != null && filter.timeline().matches(pdu.type(), pdu.sender())) {
                stateEvents.add(pdu);
            }
        }
        return new Context(around.start(), around.end(), format(visibleBefore, requester),
                format.format(event.pdu(), requester.userId(), requester.deviceId()),
                format(visibleAfter, requester), format.format(stateEvents, requester.userId(), requester.deviceId()));
    }

    /**
     * Up to {@code beforeLimit} events before {@code event} and {@code afterLimit} after it that
     * the requester may see, nearest first before and oldest first after, with the tokens to
     * paginate further (a search result's {@code event_context}).
     */
    public Around around(Requester requester, StoredEvent event, int beforeLimit, int afterLimit) {
        Surroundings around = surroundings(event, Math.clamp(beforeLimit, 0, MAX_LIMIT),
                Math.clamp(afterLimit, 0, MAX_LIMIT), RoomEventFilter.NONE.timeline());
        return new Around(around.start(), around.end(),
                format(visibility.filter(requester.userId(), around.before()), requester),
                format(visibility.filter(requester.userId(), around.after()), requester));
    }

    /** The events just before and after one (unfiltered by visibility), and the tokens beyond them. */
    private record Surroundings(List<StoredEvent> before, List<StoredEvent> after, String start, String end) {
    }

    private Surroundings surroundings(StoredEvent event, int beforeLimit, int afterLimit, TimelineFilter filter) {
        String roomId = event.pdu().roomId();
        long at = event.streamOrdering();
        List<StoredEvent> before = beforeLimit == 0 ? List.of()
                : timeline.page(roomId, at - 1, null, beforeLimit, true, filter);
        List<StoredEvent> after = afterLimit == 0 ? List.of()
                : timeline.page(roomId, at, null, afterLimit, false, filter);
        String start = TimelineToken.before(before.isEmpty() ? at : before.getLast().streamOrdering()).toString();
        String end = TimelineToken.after(after.isEmpty() ? at : after.getLast().streamOrdering()).toString();
        return new Surroundings(before, after, start, end);
    }

    private StoredEvent find(String roomId, String eventId) {
        access.head(roomId);
        StoredEvent event = events.stored(eventId);
        if (event == null || !event.pdu().roomId().equals(roomId) || !event.isVisibleInTimeline()) {
            throw MatrixException.notFound("Event not found");
        }
        return event;
    }

    private List<ObjectNode> memberEvents(String roomId, Requester requester, String atEventId, Set<String> users) {
        Map<StateKey, String> state = access.stateAfter(roomId, atEventId).orElse(Map.of());
        List<Pdu> members = new ArrayList<>();
        for (String user : users) {
            String id = state.get(StateKey.member(user));
            Pdu member = id == null ? null : events.get(id);
            if (member != null) {
                members.add(member);
            }
        }
        return format.format(members, requester.userId(), requester.deviceId());
    }

    private static Set<String> senders(Collection<StoredEvent> page) {
        Set<String> senders = new LinkedHashSet<>();
        page.forEach(e -> senders.add(e.pdu().sender()));
        return senders;
    }

    private List<ObjectNode> format(List<StoredEvent> page, Requester requester) {
        return format.format(page.stream().map(StoredEvent::pdu).toList(), requester.userId(), requester.deviceId());
    }
}
