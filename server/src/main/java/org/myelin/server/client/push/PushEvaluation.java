package org.myelin.server.client.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.auth.PowerLevels;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.push.PushActions;
import org.myelin.protocol.push.PushContext;
import org.myelin.protocol.push.PushRuleEvaluator;
import org.myelin.rooms.head.RoomHead;
import org.myelin.server.RoomServices;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.state.StateSnapshot;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an event means for a user's notifications (client-server API, "Receiving
 * notifications"): the user's push rules evaluated against it, with the room's member count,
 * power levels and the user's display name in the room. For /sync's
 * {@code unread_notifications} ({@code notification_count}, {@code highlight_count}) and, later,
 * push gateways.
 *
 * <pre>{@code
 * PushEvaluation.RoomFacts facts = push.roomFacts(event.roomId());   // once per event
 * for (String user : localJoinedMembers) {
 *     PushActions a = push.evaluate(user, event, facts);
 *     if (a.notifies()) { notifications++; }
 *     if (a.highlights()) { highlights++; }
 * }
 * }</pre>
 *
 * <p>The room facts are those of the room's current state, which for a live event is the state
 * it was sent in, or close to it.
 */
public final class PushEvaluation {

    /**
     * The room as push rules see it, computed once and shared by every user's evaluation.
     *
     * @param joined       the users joined to the room, for the member count and who is notified
     * @param state        the room's current state, for members' display names
     * @param displayNames each member's display name in {@code state} once looked up (empty: none)
     */
    public record RoomFacts(String roomId, List<String> joined, PushContext.NotificationPermission permission,
                            Map<StateKey, String> state, Map<String, Optional<String>> displayNames) {

        RoomFacts(String roomId, List<String> joined, PushContext.NotificationPermission permission,
                  Map<StateKey, String> state) {
            this(roomId, joined, permission, state, new ConcurrentHashMap<>());
        }

        public long joinedMembers() {
            return joined.size();
        }
    }

    /** Rooms whose facts are kept (while their state stays the same). */
    private static final int ROOMS_REMEMBERED = 10_000;

    private final PushRules rules;
    private final RoomServices rooms;
    /**
     * By room, for as long as its current state is the same: every message of a room is evaluated
     * for each of its local members, and the facts were read again (the members from the store, each
     * display name from its member event) for each message of a room whose events had left memory.
     */
    private final Cache<String, Known> facts = Caffeine.newBuilder().maximumSize(ROOMS_REMEMBERED).recordStats()
            .build();
    /**
     * Commits of state events so far. A room's head takes a new state before its event commits,
     * and the joined members are read from the store, which has them only after the commit: facts
     * read while a state event was in flight are dropped when it commits, and facts whose reading
     * overlapped a state commit are not kept.
     */
    private final AtomicLong stateCommits = new AtomicLong();

    /** A room's facts and the state they were read in. */
    private record Known(StateSnapshot snapshot, RoomFacts facts) {
    }

    public PushEvaluation(PushRules rules, RoomServices rooms) {
        this.rules = rules;
        this.rooms = rooms;
        rooms.onCommit(this::committed);
    }

    private void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            if (e.pdu().isState()) {
                stateCommits.incrementAndGet();
                facts.invalidate(e.pdu().roomId());
            }
        }
    }

    /** The facts of {@code roomId} now; an unknown room has no members and no power levels. */
    public RoomFacts roomFacts(String roomId) {
        RoomHead head = rooms.heads.get(roomId).orElse(null);
        if (head == null) {
            return new RoomFacts(roomId, List.of(), PushContext.NotificationPermission.NONE, Map.of());
        }
        long seen = stateCommits.get();
        Known known = facts.getIfPresent(roomId);
        // The same state: the same map (a message leaves the head's state as it was) or the same
        // stored snapshot.
        if (known != null && (known.facts().state() == head.currentState()
                || (known.snapshot() != null && known.snapshot().isSameAs(head.snapshot())))) {
            return known.facts();
        }
        RoomFacts fresh = read(roomId, head);
        // Atomic with the commit listener's invalidation of the same room.
        facts.asMap().compute(roomId, (id, old) -> stateCommits.get() == seen ? new Known(head.snapshot(), fresh) : old);
        return fresh;
    }

    private RoomFacts read(String roomId, RoomHead head) {
        Map<StateKey, String> state = head.currentState();
        PowerLevels levels = PowerLevels.of(head.version().auth(), event(state.get(StateKey.powerLevels())),
                event(state.get(StateKey.create())));
        List<String> joined = rooms.memberships.members(roomId, "join").stream()
                .map(MembershipRepository.Membership::userId).toList();
        return new RoomFacts(roomId, joined, PushContext.NotificationPermission.of(levels), state);
    }

    /**
     * The actions {@code userId}'s push rules give for {@code event} ({@link PushActions#NONE}
     * for the user's own events): {@link PushActions#notifies()} counts towards
     * {@code notification_count}, {@link PushActions#highlights()} towards {@code highlight_count}.
     */
    public PushActions evaluate(String userId, Pdu event, RoomFacts facts) {
        PushContext context = new PushContext(facts.joinedMembers(), displayName(facts, userId),
                facts.permission());
        return PushRuleEvaluator.evaluate(rules.ruleSet(userId), userId, event.json(), context);
    }

    /** As {@link #evaluate(String, Pdu, RoomFacts)}, with the facts of the event's room now. */
    public PushActions evaluate(String userId, Pdu event) {
        return evaluate(userId, event, roomFacts(event.roomId()));
    }

    /** {@code [notifies, highlights]} of {@code event} for {@code userId}. */
    public boolean[] notifyAndHighlight(String userId, Pdu event, RoomFacts facts) {
        PushActions actions = evaluate(userId, event, facts);
        return new boolean[] {actions.notifies(), actions.highlights()};
    }

    private String displayName(RoomFacts facts, String userId) {
        return facts.displayNames().computeIfAbsent(userId, u -> {
            Pdu member = event(facts.state().get(StateKey.member(u)));
            JsonNode name = member == null ? null : member.content().get("displayname");
            return Optional.ofNullable(name != null && name.isTextual() ? name.textValue() : null);
        }).orElse(null);
    }

    /** This part's cache by name, for its size and hit rate in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("push_evaluation_room_facts", facts);
    }

    private Pdu event(String eventId) {
        return eventId == null ? null : rooms.eventCache.get(eventId);
    }
}
