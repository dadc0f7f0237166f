package org.myelin.server.client.presence;

import org.myelin.storage.presence.PresenceRepository;
import org.myelin.storage.presence.PresenceRepository.StoredPresence;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link PresenceService} of this server: presence kept in memory, each change persisted
 * at its position on the presence stream, timeouts applied at read time (Synapse's values).
 *
 * <p>Changes are written one at a time under one lock (and the position is taken in the writing
 * transaction), so positions are committed in the order they are taken and a reader at position
 * N has seen every change up to N. The lock guards the write only; reads take no lock.
 */
public final class LocalPresence implements PresenceService {

    /** An online user inactive this long is idle (Synapse's IDLE_TIMER). */
    static final long IDLE_AFTER_MS = 5 * 60 * 1000;
    /** A local user neither syncing nor active this long is offline (Synapse's SYNC_ONLINE_TIMEOUT). */
    static final long OFFLINE_AFTER_MS = 30 * 1000;
    /** Active within this long counts as currently active (Synapse's LAST_ACTIVE_GRANULARITY). */
    static final long CURRENTLY_ACTIVE_MS = 60 * 1000;
    /**
     * A remote user not heard of for this long is offline (Synapse's FEDERATION_TIMEOUT); their
     * server renews an online user's presence more often than that.
     */
    public static final long REMOTE_TIMEOUT_MS = 30 * 60 * 1000;

    /** A user's presence as last set, with the time of their last sync (kept in memory first). */
    private record Entry(PresenceState state, String statusMsg, long lastActiveTs, long lastSyncTs, long streamId) {
        static Entry of(StoredPresence s) {
            return new Entry(PresenceState.fromWire(s.state()).orElse(PresenceState.OFFLINE), s.statusMsg(),
                    s.lastActiveTs(), s.lastSyncTs(), s.streamId());
        }
    }

    private static final Entry NONE = new Entry(PresenceState.OFFLINE, null, 0, 0, 0);

    private final PresenceRepository repository;
    private final Clock clock;
    private final String serverName;
    private final Listener changed;
    private volatile Listener others = (userId, position) -> { };
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> syncs = new ConcurrentHashMap<>();
    private final ReentrantLock writeLock = new ReentrantLock();

    /**
     * @param changed told of each change on the stream once committed (to wake /sync readers)
     */
    public LocalPresence(PresenceRepository repository, Clock clock, String serverName, Listener changed) {
        this.repository = repository;
        this.clock = clock;
        this.serverName = serverName;
        this.changed = changed;
    }

    @Override
    public long position() {
        return repository.position();
    }

    @Override
    public List<PresenceUpdate> since(long position, Set<String> users) {
        return between(position, Long.MAX_VALUE, users);
    }

    @Override
    public List<PresenceUpdate> between(long after, long upTo, Set<String> users) {
        long now = clock.millis();
        List<PresenceUpdate> updates = new ArrayList<>();
        for (StoredPresence s : repository.between(after, upTo, users)) {
            Entry entry = entries.getOrDefault(s.userId(), Entry.of(s));
            updates.add(new PresenceUpdate(s.streamId(), s.userId(), status(s.userId(), entry, now)));
        }
        return updates;
    }

    @Override
    public PresenceStatus get(String userId) {
        Entry entry = entry(userId);
        return entry == NONE ? PresenceStatus.UNKNOWN : status(userId, entry, clock.millis());
    }

    @Override
    public void set(String userId, PresenceState state, String statusMsg) {
        long now = clock.millis();
        Entry was = entry(userId);
        long lastActive = state == PresenceState.ONLINE ? now : was.lastActiveTs();
        save(userId, state, state == PresenceState.OFFLINE ? null : statusMsg, lastActive, was.lastSyncTs());
    }

    @Override
    public void received(String userId, PresenceState state, String statusMsg, long lastActiveAgo) {
        if (isLocal(userId)) {
            throw new IllegalArgumentException("not a remote user: " + userId);
        }
        long now = clock.millis();
        long lastActive = now - Math.max(0, lastActiveAgo);
        String msg = state == PresenceState.OFFLINE ? null : statusMsg;
        Entry was = entry(userId);
        boolean wasCurrentlyActive = now - was.lastActiveTs() < CURRENTLY_ACTIVE_MS;
        boolean currentlyActive = now - lastActive < CURRENTLY_ACTIVE_MS;
        if (was != NONE && was.state() == state && Objects.equals(was.statusMsg(), msg)
                && wasCurrentlyActive == currentlyActive && now - was.lastSyncTs() < REMOTE_TIMEOUT_MS) {
            // A renewal: nothing clients see changed; only when we last heard of the user.
            entries.computeIfPresent(userId, (u, e) -> new Entry(e.state(), e.statusMsg(),
                    Math.max(lastActive, e.lastActiveTs()), now, e.streamId()));
            return;
        }
        // For a remote user, "last sync" is when their server last told us of them.
        save(userId, state, msg, lastActive, now);
    }

    @Override
    public void listen(Listener listener) {
        Listener before = this.others;
        this.others = (userId, position) -> {
            before.changed(userId, position);
            listener.changed(userId, position);
        };
    }

    @Override
    public void setFromSync(String userId, PresenceState state) {
        if (state == PresenceState.OFFLINE) {
            return;
        }
        long now = clock.millis();
        Entry was = entry(userId);
        PresenceState effective = effectiveState(userId, was, now);
        if (state == PresenceState.ONLINE && effective == PresenceState.OFFLINE) {
            save(userId, PresenceState.ONLINE, was.statusMsg(), now, now);
        } else if (state == PresenceState.UNAVAILABLE && effective != PresenceState.UNAVAILABLE) {
            save(userId, PresenceState.UNAVAILABLE, was.statusMsg(), was.lastActiveTs(), now);
        } else {
            touchSync(userId, now);
        }
    }

    /** Records a sync in memory only: it changes no state clients see, so it is no change on the stream. */
    private void touchSync(String userId, long now) {
        entries.computeIfPresent(userId, (u, e) ->
                new Entry(e.state(), e.statusMsg(), e.lastActiveTs(), Math.max(now, e.lastSyncTs()), e.streamId()));
    }

    @Override
    public Syncing syncing(String userId, PresenceState state) {
        if (state == PresenceState.OFFLINE) {
            return () -> { };
        }
        // Counted inside the map's compute, as close() uncounts: a counter taken out of the map
        // and incremented afterwards may meanwhile have been dropped at zero.
        syncs.compute(userId, (u, n) -> {
            AtomicInteger count = n != null ? n : new AtomicInteger();
            count.incrementAndGet();
            return count;
        });
        setFromSync(userId, state);
        return new Syncing() {
            private boolean closed;

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                touchSync(userId, clock.millis()); // the end of a sync is not activity: no state change
                syncs.computeIfPresent(userId, (u, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
        };
    }

    @Override
    public void bumpActive(String userId) {
        long now = clock.millis();
        Entry was = entry(userId);
        PresenceState effective = effectiveState(userId, was, now);
        boolean wasCurrentlyActive = now - was.lastActiveTs() < CURRENTLY_ACTIVE_MS;
        if (effective == PresenceState.UNAVAILABLE || !wasCurrentlyActive) {
            // Idle back to online, or a gap long enough for clients to be told of the new activity.
            PresenceState state = effective == PresenceState.UNAVAILABLE ? PresenceState.ONLINE : was.state();
            save(userId, state, was.statusMsg(), now, Math.max(now, was.lastSyncTs()));
        } else {
            entries.computeIfPresent(userId, (u, e) -> new Entry(e.state(), e.statusMsg(), now,
                    Math.max(now, e.lastSyncTs()), e.streamId()));
        }
    }

    private void save(String userId, PresenceState state, String statusMsg, long lastActive, long lastSync) {
        StoredPresence stored;
        writeLock.lock();
        try {
            stored = repository.save(userId, state.wire(), statusMsg, lastActive, lastSync);
            entries.put(userId, Entry.of(stored));
        } finally {
            writeLock.unlock();
        }
        changed.changed(userId, stored.streamId());
        others.changed(userId, stored.streamId());
    }

    private Entry entry(String userId) {
        Entry cached = entries.get(userId);
        if (cached != null) {
            return cached;
        }
        return repository.find(userId).map(Entry::of).map(e -> {
            Entry raced = entries.putIfAbsent(userId, e);
            return raced != null ? raced : e;
        }).orElse(NONE);
    }

    private PresenceStatus status(String userId, Entry e, long now) {
        PresenceState state = effectiveState(userId, e, now);
        Long ago = e.lastActiveTs() > 0 ? Math.max(0, now - e.lastActiveTs()) : null;
        String msg = state == PresenceState.OFFLINE ? null : e.statusMsg();
        Boolean currentlyActive = state == PresenceState.ONLINE ? now - e.lastActiveTs() < CURRENTLY_ACTIVE_MS : null;
        return new PresenceStatus(state, ago, msg, currentlyActive);
    }

    /**
     * The state with the timeouts applied. Remote servers time out their own users; of theirs we
     * only drop those their server has not renewed for {@link #REMOTE_TIMEOUT_MS}.
     */
    private PresenceState effectiveState(String userId, Entry e, long now) {
        PresenceState state = e.state();
        if (!isLocal(userId)) {
            return now - e.lastSyncTs() > REMOTE_TIMEOUT_MS ? PresenceState.OFFLINE : state;
        }
        if (state == PresenceState.ONLINE && now - e.lastActiveTs() > IDLE_AFTER_MS) {
            state = PresenceState.UNAVAILABLE;
        }
        if (state != PresenceState.OFFLINE && !syncs.containsKey(userId)
                && now - Math.max(e.lastActiveTs(), e.lastSyncTs()) > OFFLINE_AFTER_MS) {
            state = PresenceState.OFFLINE;
        }
        return state;
    }

    private boolean isLocal(String userId) {
        int colon = userId.indexOf(':');
        return colon > 0 && userId.substring(colon + 1).equals(serverName);
    }
}
