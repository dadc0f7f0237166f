package org.myelin.storage.state;

import org.myelin.protocol.event.StateKey;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One stored room state: a parent snapshot plus a delta, or a full copy. A snapshot that is not
 * written yet gets its id when the persister writes it, so a chain of new snapshots can be handed
 * to the persister in one batch, parents first.
 *
 * <p>Deltas are kept cheap like a binary counter (or an LSM tree's merges): a new snapshot's
 * changes are folded into its parent's whenever the parent's delta is no larger than them, and it
 * then hangs off the grandparent instead. Along any chain the deltas thus at least double towards
 * the full copy, so a chain has O(log n) links, reading one reads at most about twice the state,
 * and each change is written O(log n) times in all; a full copy is written only once the changes
 * since the last one are as many as its entries. A state change thus costs O(log n) rows amortised,
 * whatever the room's size (a copy every N levels costs O(room size / N) rows per change).
 */
public final class StateSnapshot {

    /** No chain is longer than this (it cannot otherwise, except across restarts): then a full copy. */
    public static final int MAX_DELTA_LEVEL = 32;

    private static final AtomicLong SERIALS = new AtomicLong();

    private volatile long id;
    private final String roomId;
    private final StateSnapshot parent;
    private final Map<StateKey, String> delta;
    private final Supplier<Map<StateKey, String>> fullState;
    private final int level;
    /** Whether {@link #delta} and {@link #parent} are known here: false for one read from the store. */
    private final boolean foldable;
    /** Identifies this snapshot in memory, for {@link #changesSince}, without holding on to it. */
    private final long serial = SERIALS.incrementAndGet();
    /** The {@link #serial} of the snapshot this one was made from, and the changes made to it. */
    private final long stepBase;
    private final Map<StateKey, String> step;

    private StateSnapshot(long id, String roomId, Link link, boolean foldable, long stepBase,
                          Map<StateKey, String> step) {
        this.id = id;
        this.roomId = roomId;
        this.parent = link.parent();
        this.delta = link.delta();
        this.fullState = link.fullState();
        this.level = link.level();
        this.foldable = foldable;
        this.stepBase = stepBase;
        this.step = step;
    }

    /** Where a snapshot hangs: its stored parent (null for a full copy), the delta on it, its depth. */
    private record Link(StateSnapshot parent, Map<StateKey, String> delta, Supplier<Map<StateKey, String>> fullState,
                        int level) {
    }

    /** A snapshot already in the database. */
    public static StateSnapshot existing(String roomId, long id, int level) {
        return new StateSnapshot(id, roomId, new Link(null, Map.of(), null, level), false, -1, Map.of());
    }

    /** A new snapshot holding all of {@code state}. */
    public static StateSnapshot full(String roomId, Map<StateKey, String> state) {
        Map<StateKey, String> copy = StateMaps.of(state);
        return new StateSnapshot(0, roomId, new Link(null, copy, () -> copy, 0), true, -1, Map.of());
    }

    /**
     * A new snapshot: {@code parent} changed by {@code delta} (a null value removes the key).
     * {@code fullState} gives the resulting whole state, needed when a full copy is written instead.
     */
    public static StateSnapshot child(StateSnapshot parent, Map<StateKey, String> delta,
                                      Supplier<Map<StateKey, String>> fullState) {
        Objects.requireNonNull(parent, "parent");
        Map<StateKey, String> step = Collections.unmodifiableMap(new HashMap<>(delta));
        Map<StateKey, String> merged = step;
        StateSnapshot base = parent;
        while (base.foldable && base.delta.size() <= merged.size()) {
            if (base.parent == null) {
                // As many changes as the full copy they hang off has entries: a new full copy.
                Map<StateKey, String> all = StateMaps.of(fullState.get());
                return new StateSnapshot(0, parent.roomId, new Link(null, all, () -> all, 0), true, parent.serial,
                        step);
            }
            Map<StateKey, String> folded = new HashMap<>(base.delta);
            folded.putAll(merged);
            merged = folded;
            base = base.parent;
        }
        if (base.level + 1 >= MAX_DELTA_LEVEL) {
            Map<StateKey, String> all = StateMaps.of(fullState.get());
            return new StateSnapshot(0, parent.roomId, new Link(null, all, () -> all, 0), true, parent.serial, step);
        }
        return new StateSnapshot(0, parent.roomId, new Link(base, merged, fullState, base.level + 1), true,
                parent.serial, step);
    }

    /**
     * The changes from {@code earlier} to this state (a null value: the key was removed), if this
     * snapshot was made from {@code earlier} directly; else empty, and the caller compares the
     * whole states.
     */
    public Optional<Map<StateKey, String>> changesSince(StateSnapshot earlier) {
        if (earlier == this) {
            return Optional.of(Map.of());
        }
        return stepBase == earlier.serial ? Optional.of(step) : Optional.empty();
    }

    public boolean isWritten() {
        return id != 0;
    }

    /** Whether {@code other} is this state: the same object, or both stored under one id. */
    public boolean isSameAs(StateSnapshot other) {
        return other == this || (other != null && isWritten() && other.isWritten() && id == other.id);
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
