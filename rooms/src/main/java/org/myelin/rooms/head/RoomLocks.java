package org.myelin.rooms.head;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per room, serialising the building and ordering of that room's events in this
 * process. Lock order: a thread holds at most one room lock at a time and takes no other room's
 * lock while holding one. ReentrantLock rather than synchronized: virtual threads waiting on it
 * do not pin their carrier.
 */
public final class RoomLocks {

    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public <T> T withLock(String roomId, Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(roomId, id -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
