package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.stateres.EventSource;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.storage.state.StateMap;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** U kept from one resolution to the next is U walked anew, whatever the moves between them. */
class UnconflictedAuthChainsTest {

    private static final SigningKey KEY = SigningKey.fromSeed("k", new byte[32]);
    private static final String ROOM = "!room:hs.test";

    private final Map<String, Pdu> events = new HashMap<>();
    /** For each state key, the events made for it, oldest first. */
    private final Map<StateKey, List<Pdu>> history = new HashMap<>();

    private Pdu event(StateKey key, List<String> auth) {
        Pdu pdu = EventBuilder.in(RoomVersions.V11, ROOM).type(key.type()).stateKey(key.stateKey())
                .sender("@a:hs.test").content(JsonNodeFactory.instance.objectNode().put("n", events.size()))
                .prevEvents(List.of()).authEvents(auth).depth(events.size() + 1).originServerTs(events.size())
                .build("hs.test", KEY);
        events.put(pdu.eventId(), pdu);
        history.computeIfAbsent(key, k -> new ArrayList<>()).add(pdu);
        return pdu;
    }

    /** A room's events: each cites the create event, the power levels then, and its key's last event. */
    private List<StateKey> room(Random random, int keys, int eventsToMake) {
        Pdu create = event(StateKey.create(), List.of());
        List<StateKey> all = new ArrayList<>();
        all.add(StateKey.powerLevels());
        for (int i = 0; i < keys; i++) {
            all.add(StateKey.member("@u" + i + ":hs.test"));
        }
        for (int i = 0; i < eventsToMake; i++) {
            StateKey key = all.get(random.nextInt(all.size()));
            List<String> auth = new ArrayList<>(List.of(create.eventId()));
            List<Pdu> levels = history.get(StateKey.powerLevels());
            if (levels != null) {
                auth.add(levels.get(random.nextInt(levels.size())).eventId());
            }
            List<Pdu> own = history.get(key);
            if (own != null && !key.equals(StateKey.powerLevels())) {
                auth.add(own.getLast().eventId());
            }
            event(key, auth);
        }
        return all;
    }

    private Set<String> walked(Map<StateKey, String> first, Set<StateKey> conflicted) {
        Set<String> closure = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        first.forEach((key, id) -> {
            if (!conflicted.contains(key) && closure.add(id)) {
                todo.push(id);
            }
        });
        while (!todo.isEmpty()) {
            for (String auth : events.get(todo.pop()).authEventIds()) {
                if (closure.add(auth)) {
                    todo.push(auth);
                }
            }
        }
        return closure;
    }

    @Test
    void keptUIsWalkedUAfterEveryMove() {
        for (int seed = 0; seed < 10; seed++) {
            events.clear();
            history.clear();
            Random random = new Random(seed);
            List<StateKey> keys = room(random, 40, 400);
            UnconflictedAuthChains kept = new UnconflictedAuthChains(EventSource.of(events));
            List<StateMap> states = new ArrayList<>();
            StateMap state = StateMap.empty().plus(StateKey.create(), history.get(StateKey.create()).getFirst().eventId());
            for (int move = 0; move < 60; move++) {
                // A state made from an earlier one, as forks are.
                if (!states.isEmpty() && random.nextInt(3) == 0) {
                    state = states.get(random.nextInt(states.size()));
                }
                for (int c = random.nextInt(4); c >= 0; c--) {
                    StateKey key = keys.get(random.nextInt(keys.size()));
                    List<Pdu> made = history.get(key);
                    state = made == null || random.nextInt(5) == 0 ? state.minus(key)
                            : state.plus(key, made.get(random.nextInt(made.size())).eventId());
                }
                states.add(state);
                Set<StateKey> conflicted = new HashSet<>();
                for (int c = random.nextInt(3); c > 0; c--) {
                    conflicted.add(keys.get(random.nextInt(keys.size())));
                }
                Predicate<String> u = kept.of(ROOM, state, conflicted);
                Set<String> expected = walked(state, conflicted);
                for (String id : events.keySet()) {
                    assertEquals(expected.contains(id), u.test(id), "seed " + seed + " move " + move + ": " + id);
                }
            }
        }
    }
}
