package org.myelin.storage.state;

import org.myelin.protocol.event.StateKey;

import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One stored room state: a parent snapshot plus a delta, or a full copy. A snapshot that is not
 * written yet gets its id when the persister writes it, so a chain of new snapshots can be handed
 * to the persister in one batch, parents first.
 */
public final class StateSnapshot {

    /** After this many deltas in a row, a snapshot is written as a full copy. */
    public static final int MAX_DELTA_LEVEL = 32;

    private volatile long id;
    private final String roomId;
    private final StateSnapshot parent;
    private final Map<StateKey, String> delta;
    private final Supplier<Map<StateKey, String>> fullState;
    private final int level;

    private StateSnapshot(long id, String roomId, StateSnapshot parent, Map<StateKey, String> delta,
                          Supplier<Map<StateKey, String>> fullState, int level) {
        this.id = id;
        this.roomId = roomId;
        this.parent = parent;
        this.delta = delta;
        this.fullState = fullState;
        this.level = level;
    }

    /** A snapshot already in the database. */
    public static StateSnapshot existing(String roomId, long id, int level) {
        return new StateSnapshot(id, roomId, null, Map.of(), null, level);
    }

    /** A new snapshot holding all of {@code state}. */
    public static StateSnapshot full(String roomId, Map<StateKey, String> state) {
        Map<StateKey, String> copy = Map.copyOf(state);
        return new StateSnapshot(0, roomId, null, copy, () -> copy, 0);
    }

    /**
     * A new snapshot: {@code parent} changed by {@code delta} (a null value removes the key).
     * {@code fullState} gives the resulting whole state, needed when the chain is long enough to
     * write a full copy instead.
     */
    public static StateSnapshot child(StateSnapshot parent, Map<StateKey, String> delta,
                                      Supplier<Map<StateKey, String>> fullState) {
        Objects.requireNonNull(parent, "parent");
        if (parent.level + 1 >= MAX_DELTA_LEVEL) {
            Map<StateKey, String> all = Map.copyOf(fullState.get());
            return new StateSnapshot(0, parent.roomId, null, all, () -> all, 0);
        }
        return new StateSnapshot(0, parent.roomId, parent, new java.util.HashMap<>(delta), fullState, parent.level + 1);
    }

    public boolean isWritten() {
        return id != 0;
    }

    /** The database id; only valid once {@link #isWritten()}. */
    public long id() {
        if (id == 0) {
            throw new IllegalStateException("snapshot not written yet");
        }
        return id;
    }

    void assignId(long id) {
        this.id = id;
    }

    public String roomId() {
        return roomId;
    }

    StateSnapshot parent() {
        return parent;
    }

    Map<StateKey, String> delta() {
        return delta;
    }

    public int level() {
        return level;
    }

    @Override
    public String toString() {
        return "StateSnapshot[" + (id == 0 ? "new" : id) + " level " + level + "]";
    }
}
