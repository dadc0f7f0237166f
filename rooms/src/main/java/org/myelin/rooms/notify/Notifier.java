package org.myelin.rooms.notify;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes long-polling readers (/sync) when something they can see changes. Readers wait on keys
 * (room ids they are in, their own user id); writers signal the keys they changed. A reader
 * registers before it checks for news, so a change between its check and its wait is not lost.
 */
public final class Notifier {

    private final ConcurrentHashMap<String, Set<Waiter>> waitersByKey = new ConcurrentHashMap<>();

    /** One reader's registration. Close it when done. */
    public final class Waiter implements AutoCloseable {
        private final Collection<String> keys;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private boolean signalled;

        private Waiter(Collection<String> keys) {
            this.keys = keys;
        }

        /** Waits until a key is signalled or the timeout passes; true if signalled. */
        public boolean await(long timeoutMillis) throws InterruptedException {
            long remaining = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            lock.lock();
            try {
                while (!signalled && remaining > 0) {
                    remaining = changed.awaitNanos(remaining);
                }
                return signalled;
            } finally {
                lock.unlock();
            }
        }

        /** Whether a key was signalled since registration. */
        public boolean isSignalled() {
            lock.lock();
            try {
                return signalled;
            } finally {
                lock.unlock();
            }
        }

        void signal() {
            lock.lock();
            try {
                signalled = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            for (String key : keys) {
                waitersByKey.computeIfPresent(key, (k, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }

    /** Registers interest in {@code keys}; check for news after this, then {@link Waiter#await}. */
    public Waiter register(Collection<String> keys) {
        Waiter waiter = new Waiter(java.util.List.copyOf(keys));
        for (String key : waiter.keys) {
            // Added inside the map's compute, as close() removes: a set taken out of the map and
            // added to afterwards may meanwhile have been dropped as empty, and no signal reaches it.
            waitersByKey.compute(key, (k, set) -> {
                Set<Waiter> waiters = set != null ? set : ConcurrentHashMap.newKeySet();
                waiters.add(waiter);
                return waiters;
            });
        }
        return waiter;
    }

    /** Wakes every reader waiting on {@code key}. */
    public void signal(String key) {
        Set<Waiter> waiters = waitersByKey.get(key);
        if (waiters != null) {
            for (Waiter w : waiters) {
                w.signal();
            }
        }
    }

    public void signalAll(Collection<String> keys) {
        keys.forEach(this::signal);
    }
}
