package org.myelin.storage.state;

import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.StateKey;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How state snapshots chain: what a change writes (rows of {@code state_snapshot_entries}) and how
 * many links a reader walks, in a room of ten thousand members that ten thousand more join.
 */
class StateSnapshotTest {

    private static final int MEMBERS = 10_000;

    @Test
    void aJoinIntoABigRoomWritesFewRowsAndChainsStayShort() {
        Map<StateKey, String> state = new HashMap<>();
        for (int i = 0; i < MEMBERS; i++) {
            state.put(StateKey.member("@m" + i + ":a.test"), "$m" + i);
        }
        Map<StateKey, String> current = StateMaps.of(state);
        StateSnapshot snapshot = StateSnapshot.full("!r:a.test", current);
        long rows = 0;
        int longestChain = 0;
        for (int i = 0; i < MEMBERS; i++) {
            StateKey key = StateKey.member("@n" + i + ":b.test");
            Map<StateKey, String> next = StateMaps.with(current, key, "$n" + i);
            snapshot = StateSnapshot.child(snapshot, Map.of(key, "$n" + i), () -> next);
            current = next;
            rows += snapshot.delta().size();
            longestChain = Math.max(longestChain, chainLength(snapshot));
        }
        // A full copy every 32 levels wrote ~470 rows per join here; log2(20,000) is about 14.
        assertTrue(rows / MEMBERS <= 16, rows / MEMBERS + " rows per join");
        assertTrue(longestChain <= 16, longestChain + " links");
        assertEquals(current, read(snapshot));
    }

    @Test
    void chainsHoldTheStateThroughChangesAndRemovals() {
        Random random = new Random(7);
        Map<StateKey, String> expected = new HashMap<>();
        StateSnapshot snapshot = StateSnapshot.full("!r:a.test", Map.of());
        Map<StateKey, String> current = StateMaps.of(Map.of());
        for (int i = 0; i < 3_000; i++) {
            StateKey key = new StateKey("m.t" + random.nextInt(5), "k" + random.nextInt(400));
            String value = random.nextInt(6) == 0 ? null : "$e" + i;
            Map<StateKey, String> delta = new HashMap<>();
            delta.put(key, value);
            if (value == null) {
                expected.remove(key);
            } else {
                expected.put(key, value);
            }
            Map<StateKey, String> next = StateMaps.with(current, key, value);
            StateSnapshot parent = snapshot;
            snapshot = StateSnapshot.child(parent, delta, () -> next);
            current = next;
            assertEquals(Optional.of(delta), snapshot.changesSince(parent));
            if (i % 97 == 0) {
                assertEquals(expected, read(snapshot), "after change " + i);
            }
        }
        assertEquals(expected, read(snapshot));
    }

    /** What a reader of the store reconstructs: each key's value from the nearest link that has it. */
    private static Map<StateKey, String> read(StateSnapshot snapshot) {
        Deque<StateSnapshot> chain = new ArrayDeque<>();
        for (StateSnapshot s = snapshot; s != null; s = s.parent()) {
            chain.push(s);
        }
        Map<StateKey, String> state = new HashMap<>();
        for (StateSnapshot s : chain) {
            s.delta().forEach((k, v) -> {
                if (v == null) {
                    state.remove(k);
                } else {
                    state.put(k, v);
                }
            });
        }
        return state;
    }

    private static int chainLength(StateSnapshot snapshot) {
        int links = 0;
        for (StateSnapshot s = snapshot; s != null; s = s.parent()) {
            links++;
        }
        return links;
    }
}
