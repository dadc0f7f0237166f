package org.myelin.protocol.stateres;

import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * State resolution of room version 1 ({@code rooms/v1}, "State resolution"), superseded for its
 * bugs by v2 but still how version 1 rooms resolve:
 *
 * <blockquote>Start by setting R to the union of the states to be resolved, excluding any
 * conflicting events. First we resolve conflicts between {@code m.room.power_levels} events. [...]
 * Sort the list by ascending {@code depth} then descending {@code sha1(event_id)}. Add the first
 * event in the list to R. For each subsequent event in the list, check that the event would be
 * allowed by the authorisation rules for a room in state R. If the event would be allowed, then
 * update R with the event and continue with the next event in the list. If it would not be
 * allowed, stop [...]. Repeat the above process for conflicts between {@code m.room.join_rules}
 * events. Repeat the above process for conflicts between {@code m.room.member} events. No other
 * events affect the authorisation rules, so for all other conflicts, just pick the event with the
 * highest depth and lowest {@code sha1(event_id)} that passes authentication in R and add it to
 * R.</blockquote>
 *
 * <p>"A conflict occurs between states where those states have different {@code event_ids} for the
 * same {@code (event_type, state_key)}": a key only some states have is not conflicted. Where the
 * spec is silent this follows Synapse: each key's conflict is resolved on its own, against R as it
 * stood when its pass (power levels, join rules, members, the rest) began; when no other event
 * passes, the one with the lowest depth is kept.
 */
final class StateResolutionV1 {

    private final AuthCheck auth;
    private final ResolutionEvents events;
    private final Map<String, String> sha1 = new LinkedHashMap<>();

    StateResolutionV1(AuthCheck auth, ResolutionEvents events) {
        this.auth = auth;
        this.events = events;
    }

    Map<StateKey, String> resolve(List<Map<StateKey, String>> stateSets) {
        Map<StateKey, String> r = new LinkedHashMap<>();
        Map<StateKey, List<Pdu>> conflicts = separate(stateSets, r);
        resolvePass(conflicts, key -> key.equals(StateKey.powerLevels()), r, true);
        resolvePass(conflicts, key -> key.type().equals(StateKey.JOIN_RULES), r, true);
        resolvePass(conflicts, key -> key.type().equals(StateKey.MEMBER), r, true);
        resolvePass(conflicts, key -> true, r, false);
        return r;
    }

    /** Fills {@code r} with the unconflicted entries; returns the known events of each conflict. */
    private Map<StateKey, List<Pdu>> separate(List<Map<StateKey, String>> stateSets, Map<StateKey, String> r) {
        Map<StateKey, Set<String>> values = new LinkedHashMap<>();
        for (Map<StateKey, String> set : stateSets) {
            set.forEach((key, id) -> values.computeIfAbsent(key, k -> new LinkedHashSet<>(2)).add(id));
        }
        Map<StateKey, List<Pdu>> conflicts = new LinkedHashMap<>();
        values.forEach((key, ids) -> {
            List<Pdu> known = new ArrayList<>();
            ids.forEach(id -> {
                Pdu event = events.get(id);
                if (event != null) {
                    known.add(event);
                }
            });
            if (ids.size() == 1) {
                r.put(key, ids.iterator().next());
            } else if (known.size() == 1) {
                r.put(key, known.get(0).eventId());
            } else if (known.size() > 1) {
                conflicts.put(key, known);
            }
        });
        return conflicts;
    }

    private void resolvePass(Map<StateKey, List<Pdu>> conflicts, Predicate<StateKey> inPass,
                             Map<StateKey, String> r, boolean authEvents) {
        Map<StateKey, String> resolved = new LinkedHashMap<>();
        var it = conflicts.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<StateKey, List<Pdu>> conflict = it.next();
            if (inPass.test(conflict.getKey())) {
                Pdu chosen = authEvents ? resolveAuthEvents(conflict.getValue(), r) : resolveNormal(conflict.getValue(), r);
                resolved.put(conflict.getKey(), chosen.eventId());
                it.remove();
            }
        }
        r.putAll(resolved);
    }

    /** Ascending depth, descending sha1: the first goes in; each next one while the rules allow it. */
    private Pdu resolveAuthEvents(List<Pdu> conflict, Map<StateKey, String> r) {
        List<Pdu> sorted = new ArrayList<>(conflict);
        sorted.sort(Comparator.comparingLong(Pdu::depth).thenComparing(this::sha1, Comparator.reverseOrder()));
        Pdu chosen = sorted.get(0);
        for (Pdu next : sorted.subList(1, sorted.size())) {
            if (!allowed(next, r, chosen)) {
                break;
            }
            chosen = next;
        }
        return chosen;
    }

    /** Descending depth, ascending sha1: the first the rules allow, else the last. */
    private Pdu resolveNormal(List<Pdu> conflict, Map<StateKey, String> r) {
        List<Pdu> sorted = new ArrayList<>(conflict);
        sorted.sort(Comparator.comparingLong(Pdu::depth).reversed().thenComparing(this::sha1));
        for (Pdu event : sorted) {
            if (allowed(event, r, null)) {
                return event;
            }
        }
        return sorted.get(sorted.size() - 1);
    }

    /** Whether the rules allow {@code event} in state R, with {@code chosen} (if any) in R for its key. */
    private boolean allowed(Pdu event, Map<StateKey, String> r, Pdu chosen) {
        Map<StateKey, Pdu> authState = new LinkedHashMap<>();
        for (StateKey key : AuthEventsSelection.requiredFor(event)) {
            boolean isChosen = chosen != null && chosen.is(key.type(), key.stateKey());
            String id = isChosen ? chosen.eventId() : r.get(key);
            Pdu authEvent = id == null ? null : events.get(id);
            if (authEvent != null) {
                authState.put(key, authEvent);
            }
        }
        return auth.check(event, authState).isAllowed();
    }

    private String sha1(Pdu event) {
        return sha1.computeIfAbsent(event.eventId(), id -> {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(id.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is unavailable", e);
            }
        });
    }
}
