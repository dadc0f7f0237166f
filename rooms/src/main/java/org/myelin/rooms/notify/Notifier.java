package org.myelin.rooms.notify;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes long-polling readers (/sync) when something they can see changes. Readers wait on keys
 * (room ids they are in, their own user id); writers signal the keys they changed. A reader
 * registers before it checks for news, so a change between its check and its wait is not lost.
 *
 * <p>A named reader (a user's syncs) keeps its registration between requests: a user's client
 * long-polls again as soon as an answer arrives, and registering with each of its rooms' keys and
 * leaving them again for every answer made the syncs woken by one message queue on the locks of
 * that room's key. A named reader's registration counts the signals it heard; a request notes the
 * count when it registers and waits until it moves. Its keys change when the reader's do (a
 * membership change, itself signalled on the user's key), and it is dropped once no request has
 * used it for {@link #IDLE_NANOS}. While other requests of the reader wait, a new key set only
 * adds keys: two requests may register with the keys from either side of a join, and the one
 * with the joined room must not lose it to the other; the set is replaced when no request waits.
 */
public final class Notifier {

    /** How long a named reader's registration outlives its last request. */
    static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(5);
    private static final long SWEEP_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ConcurrentHashMap<String, Set<Listener>> listenersByKey = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Listener> named = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());

    /** One reader's interest in its keys, and the signals it has heard. */
    private final class Listener {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        /** Written under {@link #lock}. */
        private volatile long signals;
        /** Changed only inside {@link #named}'s compute for the reader (or before it is shared). */
        private List<String> keys = List.of();
        private int requests;
        private long idleSince;

        void signal() {
            lock.lock();
            try {
                signals++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        boolean awaitAfter(long mark, long timeoutMillis) throws InterruptedException {
            long remaining = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            lock.lock();
            try {
                while (signals == mark && remaining > 0) {
                    remaining = changed.awaitNanos(remaining);
                }
                return signals != mark;
            } finally {
                lock.unlock();
            }
        }

        /** Listens on {@code next} instead of its keys: the new ones first, so none is missed in between. */
        void listenOn(List<String> next) {
            Set<String> dropped = new HashSet<>(keys);
            for (String key : next) {
                if (!dropped.remove(key)) {
                    // Added inside the map's compute, as removals are: a set taken out of the map and
                    // added to afterwards may meanwhile have been dropped as empty, and no signal reaches it.
                    listenersByKey.compute(key, (k, set) -> {
                        Set<Listener> listeners = set != null ? set : ConcurrentHashMap.newKeySet();
                        listeners.add(this);
                        return listeners;
                    });
                }
            }
            for (String key : dropped) {
                listenersByKey.computeIfPresent(key, (k, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
            keys = next;
        }
    }

    /** One request's registration. Close it when done. */
    public final class Waiter implements AutoCloseable {
        private final Listener listener;
        private final String reader;
        private final long mark;

        private Waiter(Listener listener, String reader) {
            this.listener = listener;
            this.reader = reader;
            this.mark = listener.signals;
        }

        /** Waits until a key is signalled or the timeout passes; true if signalled. */
        public boolean await(long timeoutMillis) throws InterruptedException {
            return listener.awaitAfter(mark, timeoutMillis);
        }

        /** Whether a key was signalled since registration. */
        public boolean isSignalled() {
            return listener.signals != mark;
        }

        @Override
        public void close() {
            if (reader == null) {
                listener.listenOn(List.of());
                return;
            }
            named.computeIfPresent(reader, (r, l) -> {
                if (l == listener) {
                    l.requests--;
                    l.idleSince = System.nanoTime();
                }
                return l;
            });
        }
    }

    /** Registers interest in {@code keys}; check for news after this, then {@link Waiter#await}. */
    public Waiter register(Collection<String> keys) {
        Listener listener = new Listener();
        listener.listenOn(List.copyOf(keys));
        return new Waiter(listener, null);
    }

    /**
     * Registers interest of {@code reader} (every request of one user's syncs, which all listen on
     * the same keys) in {@code keys}, keeping the registration for the reader's next requests;
     * check for news after this, then {@link Waiter#await}.
     */
    public Waiter register(String reader, List<String> keys) {
        sweepIdle();
        Listener listener = named.compute(reader, (r, known) -> {
            Listener l = known != null ? known : new Listener();
            if (l.keys != keys && !l.keys.equals(keys)) {
                if (l.requests == 0) {
                    l.listenOn(List.copyOf(keys));
                } else if (!l.keys.containsAll(keys)) {
                    // Another request waits on the old keys (it may have read them after these):
                    // it keeps them until no request is left.
                    Set<String> union = new LinkedHashSet<>(l.keys);
                    union.addAll(keys);
                    l.listenOn(List.copyOf(union));
                }
            }
            l.requests++;
            return l;
        });
        return new Waiter(listener, reader);
    }

    /** Wakes every reader waiting on {@code key}. */
    public void signal(String key) {
        Set<Listener> listeners = listenersByKey.get(key);
        if (listeners != null) {
            for (Listener l : listeners) {
                l.signal();
            }
        }
    }

    public void signalAll(Collection<String> keys) {
        keys.forEach(this::signal);
    }

    /** At most once a minute: drops the registrations of readers without a request for {@link #IDLE_NANOS}. */
    private void sweepIdle() {
        long now = System.nanoTime();
        long last = lastSweep.get();
        if (now - last < SWEEP_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        for (String reader : named.keySet()) {
            named.computeIfPresent(reader, (r, l) -> {
                if (l.requests > 0 || now - l.idleSince < IDLE_NANOS) {
                    return l;
                }
                l.listenOn(List.of());
                return null;
            });
        }
    }
}
