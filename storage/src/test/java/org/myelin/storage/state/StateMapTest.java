package org.myelin.storage.state;

import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.StateKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link StateMap} against {@link HashMap}, with keys whose hashes collide whole. */
class StateMapTest {

    /** "Aa" and "BB" share their String hash, so these four state keys share all 32 bits of theirs. */
    private static final List<StateKey> COLLIDING = List.of(StateKey.of("m.room.member", "AaAa"),
            StateKey.of("m.room.member", "AaBB"), StateKey.of("m.room.member", "BBAa"),
            StateKey.of("m.room.member", "BBBB"));

    private static List<StateKey> keys(int n) {
        List<StateKey> keys = new ArrayList<>(COLLIDING);
        for (int i = 0; i < n; i++) {
            keys.add(StateKey.of(i % 7 == 0 ? "m.room.name" : "m.room.member", "@u" + i + ":hs" + (i % 13)));
        }
        return keys;
    }

    @Test
    void collidingKeysReallyCollide() {
        Set<Integer> hashes = new HashSet<>();
        COLLIDING.forEach(k -> hashes.add(k.hashCode()));
        assertEquals(1, hashes.size());
    }

    @Test
    void agreesWithAHashMapUnderRandomChanges() {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            List<StateKey> keys = keys(300);
            StateMap map = StateMap.empty();
            Map<StateKey, String> model = new HashMap<>();
            for (int op = 0; op < 3000; op++) {
                StateKey key = keys.get(random.nextInt(keys.size()));
                if (random.nextInt(3) == 0) {
                    map = map.minus(key);
                    model.remove(key);
                } else {
                    String id = "$e" + random.nextInt(5);
                    map = map.plus(key, id);
                    model.put(key, id);
                }
                assertEquals(model.size(), map.size());
            }
            assertEquals(model, map);
            assertEquals(map, model);
            for (StateKey key : keys) {
                assertEquals(model.get(key), map.get(key), key.toString());
            }
            Map<StateKey, String> iterated = new HashMap<>();
            map.forEach(iterated::put);
            assertEquals(model, iterated);
            for (StateKey key : keys) {
                map = map.minus(key);
            }
            assertSame(StateMap.empty(), map);
        }
    }

    @Test
    void aChangeThatChangesNothingGivesTheSameMap() {
        StateMap map = StateMap.of(Map.of(COLLIDING.get(0), "$a", COLLIDING.get(1), "$b", StateKey.create(), "$c"));
        assertSame(map, map.plus(COLLIDING.get(1), "$b"));
        assertSame(map, map.minus(COLLIDING.get(3)));
        assertSame(map, map.minus(StateKey.powerLevels()));
        assertSame(map, StateMap.of(map));
    }

    @Test
    void differencesAreExactlyTheKeysWhoseEntriesDiffer() {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            List<StateKey> keys = keys(500);
            List<StateMap> versions = new ArrayList<>();
            List<Map<StateKey, String>> models = new ArrayList<>();
            StateMap map = StateMap.empty();
            Map<StateKey, String> model = new HashMap<>();
            for (int i = 0; i < 400; i++) {
                StateKey key = keys.get(random.nextInt(keys.size()));
                map = map.plus(key, "$base" + i);
                model.put(key, "$base" + i);
            }
            versions.add(map);
            models.add(new HashMap<>(model));
            for (int v = 0; v < 30; v++) {
                // Each version made from an earlier one, as the states after a room's events are.
                int from = random.nextInt(versions.size());
                map = versions.get(from);
                model = new HashMap<>(models.get(from));
                for (int c = random.nextInt(6); c >= 0; c--) {
                    StateKey key = keys.get(random.nextInt(keys.size()));
                    if (random.nextBoolean()) {
                        map = map.minus(key);
                        model.remove(key);
                    } else {
                        map = map.plus(key, "$v" + v + "c" + c);
                        model.put(key, "$v" + v + "c" + c);
                    }
                }
                versions.add(map);
                models.add(model);
            }
            versions.add(StateMap.of(new HashMap<>(models.getFirst()))); // the same state, built apart
            models.add(models.getFirst());
            for (int i = 0; i < versions.size(); i++) {
                for (int j = 0; j < versions.size(); j++) {
                    List<StateKey> found = new ArrayList<>();
                    StateMap.forEachDifference(versions.get(i), versions.get(j), found::add);
                    assertEquals(differing(models.get(i), models.get(j)), new HashSet<>(found));
                    assertEquals(found.size(), new HashSet<>(found).size(), "each key once");
                }
            }
        }
    }

    private static Set<StateKey> differing(Map<StateKey, String> a, Map<StateKey, String> b) {
        Set<StateKey> keys = new HashSet<>(a.keySet());
        keys.addAll(b.keySet());
        keys.removeIf(k -> Objects.equals(a.get(k), b.get(k)));
        return keys;
    }
}
