package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.sync.NotificationCounts;
import org.myelin.server.client.sync.RoomSummaries;
import org.myelin.server.client.sync.StateSections;
import org.myelin.server.client.sync.StrippedStates;
import org.myelin.server.client.sync.SyncEventFormat;
import org.myelin.server.client.sync.SyncResponse.UnreadCounts;
import org.myelin.server.client.sync.TimelineWindows;
import org.myelin.server.client.sync.filter.RoomEventFilter;
import org.myelin.server.client.sync.filter.SyncFilter;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.Hero;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.RoomResult;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.SyncToken;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;
import org.myelin.storage.sync.SlidingSyncQueries;
import org.myelin.storage.sync.SlidingSyncQueries.RoomTraits;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One room of a sliding sync response (Synapse's {@code get_room_sync_data}): the first time the
 * connection gets it ({@code initial}), its newest events and the state its {@code required_state}
 * asks for, its name, avatar, heroes and member counts; afterwards what changed since the
 * connection last had it. Its timeline window, state, summary, unread counts and event format are
 * /sync's own; an invite or knock comes as its stripped state.
 */
final class RoomResults {

    /** What the builder reads from. */
    record Parts(TimelineWindows windows, StateSections states, RoomSummaries summaries, NotificationCounts counts,
                 SyncEventFormat format, StrippedStates stripped, EventCache events, RoomTraitsCache traits) {
    }

    /**
     * One room to build.
     *
     * @param from        the request's position, null for a fresh connection
     * @param membership  the user's membership at {@code to}
     * @param newlyJoined whether the user joined in the request's range (the room then comes afresh)
     * @param newlyLeft   whether the user left in the request's range
     */
    record Request(String userId, String deviceId, String roomId, RoomParams params, MembershipEvent membership,
                   SyncToken from, SyncToken to, boolean newlyJoined, boolean newlyLeft, boolean isDm,
                   RoomTraits traits) {
        boolean inRoom() {
            return !membership.membership().equals("invite") && !membership.membership().equals("knock");
        }

        boolean joined() {
            return membership.membership().equals("join");
        }

        /** The end of what the user may see: now, or their leave or ban. */
        long upTo() {
            return joined() ? to.timeline() : Math.min(to.timeline(), membership.streamOrdering());
        }
    }

    private final Parts parts;

    RoomResults(Parts parts) {
        this.parts = parts;
    }

    /** The room's entry; {@code state} records what the connection is sent. */
    RoomResult build(Request r, ConnectionState previous, ConnectionState.Builder state) {
        RoomParams before = previous.roomParams().get(r.roomId());
        Long fromBound = null;
        boolean initial = true;
        boolean expand = false;
        if (r.from() != null && !r.newlyJoined()) {
            Sent sent = previous.rooms().get(r.roomId());
            if (sent instanceof Sent.Live) {
                fromBound = r.from().timeline();
                initial = false;
            } else if (sent instanceof Sent.Behind behind) {
                fromBound = behind.after();
                initial = false;
            }
            expand = before != null && before.timelineLimit() < r.params().timelineLimit();
        }
        Window window = r.inRoom() && r.params().timelineLimit() > 0
                ? window(r, expand ? null : fromBound) : null;
        RoomState roomState = new RoomState(r);
        Deltas deltas = initial ? Deltas.NONE : deltas(r, fromBound, roomState);

        List<ObjectNode> inviteState = r.inRoom() ? null : invite(r);
        String name = null;
        String avatar = null;
        if (initial || deltas.nameChanged() || deltas.avatarChanged()) {
            Pdu nameEvent = inviteState != null ? null : roomState.event(StateKey.of("m.room.name", ""));
            Pdu avatarEvent = inviteState != null ? null : roomState.event(StateKey.of("m.room.avatar", ""));
            name = inviteState != null ? strippedField(inviteState, "m.room.name", "name")
                    : nameEvent == null ? null : nameEvent.content().path("name").textValue();
            avatar = inviteState != null ? strippedField(inviteState, "m.room.avatar", "url")
                    : avatarEvent == null ? null : avatarEvent.content().path("url").textValue();
            name = initial || deltas.nameChanged() ? emptyToNull(name) : null;
            avatar = initial || deltas.avatarChanged() ? emptyToNull(avatar) : null;
        }
        List<Hero> heroes = null;
        Integer joinedCount = null;
        Integer invitedCount = null;
        if ((initial || deltas.membershipChanged()) && r.joined()) {
            RoomSummaries.Summary summary = parts.summaries().of(r.userId(), r.roomId(), r.upTo());
            joinedCount = summary.members().joined();
            invitedCount = summary.members().invited();
            if (name == null && !hasName(roomState)) {
                heroes = heroes(summary.members().heroes(), roomState);
            }
        }
        List<ObjectNode> requiredState = r.inRoom() ? requiredState(r, previous, state, window, initial, deltas,
                roomState) : null;
        Long bumpStamp = bumpStamp(r, window, initial);
        UnreadCounts counts = r.joined() ? parts.counts().count(r.userId(), r.roomId(), r.to().timeline())
                : UnreadCounts.NONE;
        recordParams(r, before, expand, window, state);
        return new RoomResult(name, avatar, heroes, initial ? Boolean.TRUE : null, expand ? Boolean.TRUE : null,
                requiredState, window == null || window.events().isEmpty() ? null : window.formatted(),
                window == null ? null : window.limited(), window == null ? null : window.prevBatch(),
                window == null ? null : window.numLive(), r.isDm() ? Boolean.TRUE : null, inviteState, bumpStamp,
                joinedCount, invitedCount, counts.notificationCount(), counts.highlightCount());
    }

    /** A timeline window as sent. */
    private record Window(List<StoredEvent> events, List<ObjectNode> formatted, boolean limited, String prevBatch,
                          int numLive) {
    }

    private Window window(Request r, Long after) {
        long upTo = r.upTo();
        RoomEventFilter filter = new RoomEventFilter(r.params().timelineLimit(), null, null, null, null, null, null,
                null, null, null, null);
        TimelineWindows.Window w = parts.windows().load(r.userId(), r.roomId(), after, upTo, filter, r.joined());
        List<Pdu> pdus = w.events().stream().map(StoredEvent::pdu).toList();
        int live = 0;
        if (r.from() != null) {
            for (int i = w.events().size() - 1; i >= 0 && w.events().get(i).streamOrdering() > r.from().timeline(); i--) {
                live++;
            }
        }
        String prevBatch = r.to().with(StreamId.TIMELINE, w.prevBatchPosition(upTo)).toString();
        return new Window(w.events(), parts.format().format(pdus, r.userId(), r.deviceId(), SyncFilter.ALL),
                w.limited(), prevBatch, live);
    }

    /** The room's state at the end of what the user may see, read once and only if needed. */
    private final class RoomState {
        private final Request r;
        private Map<StateKey, String> entries;

        RoomState(Request r) {
            this.r = r;
        }

        Map<StateKey, String> entries() {
            if (entries == null) {
                entries = parts.states().unchangedSince(r.roomId(), r.upTo())
                        .orElseGet(() -> parts.states().stateAt(r.roomId(), r.upTo()));
            }
            return entries;
        }

        Pdu event(StateKey key) {
            String id = entries().get(key);
            return id == null ? null : parts.events().get(id);
        }
    }

    /** What changed in the room's state since {@code from}, and which of it the room's metadata shows. */
    private record Deltas(Map<StateKey, String> entries, boolean membershipChanged, boolean nameChanged,
                          boolean avatarChanged) {
        static final Deltas NONE = new Deltas(Map.of(), false, false, false);
    }

    private Deltas deltas(Request r, long from, RoomState roomState) {
        Map<StateKey, String> changed = new HashMap<>();
        if (r.newlyLeft()) {
            // A rejected invite of a room this server is not in is no state change: name it.
            changed.put(StateKey.member(r.userId()), r.membership().eventId());
        }
        if (r.inRoom() && r.upTo() > from && parts.states().unchangedSince(r.roomId(), from).isEmpty()) {
            Map<StateKey, String> then = parts.states().stateAt(r.roomId(), from);
            roomState.entries().forEach((key, id) -> {
                if (!id.equals(then.get(key))) {
                    changed.put(key, id);
                }
            });
        }
        boolean members = changed.keySet().stream().anyMatch(k -> k.type().equals(StateKey.MEMBER));
        return new Deltas(changed, members, changed.containsKey(StateKey.of("m.room.name", "")),
                changed.containsKey(StateKey.of("m.room.avatar", "")));
    }

    private List<ObjectNode> invite(Request r) {
        Pdu event = parts.events().get(r.membership().eventId());
        return event == null ? List.of() : parts.stripped().of(event);
    }

    private List<ObjectNode> requiredState(Request r, ConnectionState previous, ConnectionState.Builder state,
                                           Window window, boolean initial, Deltas deltas, RoomState roomState) {
        RequiredState required = r.params().requiredState();
        Set<String> lazyUsers = new HashSet<>();
        if (window != null) {
            for (StoredEvent e : window.events()) {
                lazyUsers.add(e.pdu().sender());
                if (e.pdu().type().equals(StateKey.MEMBER) && e.pdu().isState()) {
                    lazyUsers.add(e.pdu().stateKey());
                }
            }
        }
        RoomParams before = previous.roomParams().get(r.roomId());
        Map<String, String> sentMembers = initial ? Map.of() : previous.lazyMembers().getOrDefault(r.roomId(), Map.of());
        Map<StateKey, String> chosen = RequiredStateSelection.select(new RequiredStateSelection.Request(r.userId(),
                required, lazyUsers, initial, window != null && window.limited(), deltas.entries(),
                before == null ? null : before.requiredState(), sentMembers), roomState::entries);
        List<Pdu> events = new ArrayList<>();
        parts.events().storedAll(chosen.values()).values().forEach(e -> events.add(e.pdu()));
        events.sort(Comparator.comparing(Pdu::type).thenComparing(Pdu::stateKey));
        if (initial) {
            state.resetLazyMembers(r.roomId());
        }
        if (required.lazyMembers()) {
            Map<String, String> sent = new HashMap<>();
            for (Pdu e : events) {
                if (e.type().equals(StateKey.MEMBER)) {
                    sent.put(e.stateKey(), e.eventId());
                }
            }
            if (window != null) {
                window.events().stream().map(StoredEvent::pdu)
                        .filter(e -> e.type().equals(StateKey.MEMBER) && e.isState())
                        .forEach(e -> sent.put(e.stateKey(), e.eventId()));
            }
            sent.keySet().retainAll(lazyUsers);
            state.lazyMembersSent(r.roomId(), sent);
        }
        return events.isEmpty() ? null : parts.format().format(events, r.userId(), r.deviceId(), SyncFilter.ALL);
    }

    /**
     * The room's bump stamp (Synapse's rules): a joined room's newest bump event in the window, or
     * before it when the window may not hold the newest (first time, a gap, no window); other
     * rooms, and rooms without one, the user's membership. Left out when the window shows it did
     * not change.
     */
    private Long bumpStamp(Request r, Window window, boolean initial) {
        boolean always = !r.joined() || window == null || window.limited() || initial;
        if (r.joined()) {
            if (window != null) {
                for (int i = window.events().size() - 1; i >= 0; i--) {
                    StoredEvent e = window.events().get(i);
                    if (SlidingSyncQueries.BUMP_TYPES.contains(e.pdu().type()) && e.streamOrdering() > 0) {
                        return e.streamOrdering();
                    }
                }
            }
            if (always && r.traits() != null) {
                long stamp = parts.traits().bumpStampAt(r.traits(), r.to().timeline());
                if (stamp > 0) {
                    return stamp;
                }
            }
        }
        return always ? Math.max(0, r.membership().streamOrdering()) : null;
    }

    /**
     * Remembers the parameters the room was sent with, as Synapse: a larger timeline limit at once
     * (its window was sent again), a smaller one only after a gap (else the client holds the larger
     * window still), a new required state at once.
     */
    private static void recordParams(Request r, RoomParams before, boolean expand, Window window,
                                     ConnectionState.Builder state) {
        RoomParams now = r.params();
        if (expand || before == null) {
            state.params(r.roomId(), now);
        } else if (window != null && window.limited() && before.timelineLimit() > now.timelineLimit()) {
            state.params(r.roomId(), now);
        } else if (!before.requiredState().equals(now.requiredState())) {
            state.params(r.roomId(), new RoomParams(now.timelineLimit(), now.requiredState()));
        }
    }

    private boolean hasName(RoomState roomState) {
        Pdu name = roomState.event(StateKey.of("m.room.name", ""));
        return name != null && !name.content().path("name").asText("").isEmpty();
    }

    private List<Hero> heroes(List<String> userIds, RoomState roomState) {
        List<Hero> heroes = new ArrayList<>();
        for (String userId : userIds) {
            Pdu member = roomState.event(StateKey.member(userId));
            if (member != null) {
                heroes.add(new Hero(userId, text(member.content().get("displayname")),
                        text(member.content().get("avatar_url"))));
            }
        }
        return heroes.isEmpty() ? null : heroes;
    }

    private static String strippedField(List<ObjectNode> stripped, String type, String field) {
        for (ObjectNode e : stripped) {
            if (e.path("type").asText().equals(type) && e.path("state_key").asText("-").isEmpty()) {
                return text(e.path("content").get(field));
            }
        }
        return null;
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
