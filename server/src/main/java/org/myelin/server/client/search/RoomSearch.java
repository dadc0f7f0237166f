package org.myelin.server.client.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.ClientEvents;
import org.myelin.server.client.rooms.EventVisibility;
import org.myelin.server.client.rooms.RoomAccess;
import org.myelin.server.client.rooms.RoomTimeline;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineFilter;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.search.EventSearchRepository;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Server-side search of room events (client-server API, "Server Side Search"): the rooms the
 * user is joined to (narrowed by the filter), the events found in them that the user may see
 * (history visibility, redactions applied), best or newest first, each with the events around
 * it when asked.
 */
public final class RoomSearch {

    /** What was asked: the {@code room_events} category of the request. */
    public record Query(String term, List<EventSearchRepository.Key> keys, SearchFilter filter, boolean newestFirst,
                        EventContext context, int offset) {
    }

    /** {@code event_context}: how many events around each result, and whether with profiles. */
    public record EventContext(int beforeLimit, int afterLimit, boolean includeProfile) {
    }

    /** One result: its rank, the event, and the events around it (null when not asked). */
    public record Result(double rank, ObjectNode result, Context context) {
    }

    /** A result's {@code context}. */
    public record Context(String start, String end, List<ObjectNode> eventsBefore, List<ObjectNode> eventsAfter,
                          Map<String, Map<String, String>> profileInfo) {
    }

    /** The {@code room_events} answer; {@code nextBatch} null on the last page. */
    public record RoomEvents(long count, List<String> highlights, List<Result> results, String nextBatch) {
    }

    private final EventSearchRepository search;
    private final MembershipRepository memberships;
    private final EventCache events;
    private final EventVisibility visibility;
    private final ClientEvents format;
    private final RoomTimeline timeline;
    private final RoomAccess access;

    public RoomSearch(EventSearchRepository search, MembershipRepository memberships, EventCache events,
                      EventVisibility visibility, ClientEvents format, RoomTimeline timeline, RoomAccess access) {
        this.search = search;
        this.memberships = memberships;
        this.events = events;
        this.visibility = visibility;
        this.format = format;
        this.timeline = timeline;
        this.access = access;
    }

    public RoomEvents search(Requester requester, Query query) {
        Set<String> rooms = new LinkedHashSet<>();
        memberships.roomsOf(requester.userId(), "join").forEach(m -> rooms.add(m.roomId()));
        SearchFilter filter = query.filter();
        if (filter.rooms() != null) {
            rooms.retainAll(filter.rooms());
        }
        if (filter.notRooms() != null) {
            filter.notRooms().forEach(rooms::remove);
        }
        int limit = filter.effectiveLimit();
        EventSearchRepository.Hits hits = search.search(List.copyOf(rooms), query.keys(), query.term(),
                query.newestFirst(), limit, query.offset());
        Map<String, EventSearchRepository.Hit> byId = new LinkedHashMap<>();
        hits.hits().forEach(h -> byId.put(h.eventId(), h));
        Map<String, StoredEvent> loaded = events.storedAll(byId.keySet());
        List<StoredEvent> candidates = new ArrayList<>();
        TimelineFilter typesAndSenders = filter.timeline();
        for (String id : byId.keySet()) {
            StoredEvent e = loaded.get(id);
            if (e != null && typesAndSenders.matches(e.pdu().type(), e.pdu().sender())) {
                candidates.add(e);
            }
        }
        List<Result> results = new ArrayList<>();
        for (StoredEvent e : visibility.filter(requester.userId(), candidates)) {
            ObjectNode event = format.format(e.pdu(), requester.userId(), requester.deviceId());
            if (event.path("content").isEmpty()) {
                continue; // redacted since it was written: its words are gone
            }
            results.add(new Result(byId.get(e.eventId()).rank(), event, context(requester, e, query.context())));
        }
        String next = query.offset() + hits.hits().size() < hits.count()
                ? Integer.toString(query.offset() + hits.hits().size()) : null;
        return new RoomEvents(hits.count(), highlights(query.term()), results, next);
    }

    private Context context(Requester requester, StoredEvent event, EventContext asked) {
        if (asked == null) {
            return null;
        }
        RoomTimeline.Around around = timeline.around(requester, event, asked.beforeLimit(), asked.afterLimit());
        Map<String, Map<String, String>> profiles = null;
        if (asked.includeProfile()) {
            profiles = new LinkedHashMap<>();
            Map<StateKey, String> state = access.stateAfter(event.pdu().roomId(), event.eventId()).orElse(Map.of());
            Set<String> senders = new LinkedHashSet<>();
            senders.add(event.pdu().sender());
            around.eventsBefore().forEach(e -> senders.add(e.path("sender").asText()));
            around.eventsAfter().forEach(e -> senders.add(e.path("sender").asText()));
            for (String sender : senders) {
                String memberId = state.get(StateKey.member(sender));
                Pdu member = memberId == null ? null : events.get(memberId);
                Map<String, String> profile = new LinkedHashMap<>();
                if (member != null && member.content().path("displayname").isTextual()) {
                    profile.put("displayname", member.content().path("displayname").textValue());
                }
                if (member != null && member.content().path("avatar_url").isTextual()) {
                    profile.put("avatar_url", member.content().path("avatar_url").textValue());
                }
                profiles.put(sender, profile);
            }
        }
        return new Context(around.start(), around.end(), around.eventsBefore(), around.eventsAfter(), profiles);
    }

    /** The words of the search, for clients to highlight. */
    static List<String> highlights(String term) {
        Set<String> words = new LinkedHashSet<>();
        for (String w : term.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return List.copyOf(words);
    }
}
