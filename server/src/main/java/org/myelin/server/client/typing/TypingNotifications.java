package org.myelin.server.client.typing;

import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who is typing in which room (client-server API, "Typing Notifications"): kept in memory only,
 * as the spec intends ("the server does not remember users who are not currently typing"). Each
 * change, including a timeout running out, takes the next position of the typing stream and wakes
 * the room's syncs. The positions restart with the process; /sync treats a token ahead of the
 * current position as 0.
 */
public final class TypingNotifications implements AutoCloseable {

    /** Longest a client may declare itself typing for at once (Synapse caps at the same). */
    public static final long MAX_TIMEOUT_MS = 120_000;

    /** One room's typists (user id to expiry time) and the position of its last change. */
    private record RoomTyping(Map<String, Long> expiries, long position) {
    }

    /** Told of each typing change as it is made, local or remote (federation sends local users' on). */
    @FunctionalInterface
    public interface Listener {
        void typing(String roomId, String userId, boolean typing, long timeoutMs);
    }

    private final Streams streams;
    private final Clock clock;
    private volatile Listener listener = (roomId, userId, typing, timeoutMs) -> { };
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, RoomTyping> rooms = new ConcurrentHashMap<>();
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("typing-expiry").daemon(true).factory());
    private long serial;

    public TypingNotifications(Streams streams, Clock clock) {
        this.streams = streams;
        this.clock = clock;
        this.serial = streams.position(StreamId.TYPING);
    }

    /** Who else hears of typing changes (federation, application services): each added listener. */
    public void listen(Listener newListener) {
        Listener before = this.listener;
        this.listener = (roomId, userId, typing, timeoutMs) -> {
            before.typing(roomId, userId, typing, timeoutMs);
            newListener.typing(roomId, userId, typing, timeoutMs);
        };
    }

    /** {@code userId} started typing in {@code roomId} for {@code timeoutMs} (capped), or stopped. */
    public void set(String roomId, String userId, boolean typing, long timeoutMs) {
        long now = clock.millis();
        long until = now + Math.max(0, Math.min(timeoutMs, MAX_TIMEOUT_MS));
        long position;
        lock.lock();
        try {
            RoomTyping room = rooms.get(roomId);
            Map<String, Long> expiries = room == null ? new HashMap<>() : new HashMap<>(room.expiries());
            boolean wasTyping = expiries.containsKey(userId);
            if (typing) {
                expiries.put(userId, until);
            } else {
                expiries.remove(userId);
            }
            if (wasTyping == typing) {
                // Only the expiry moved: nothing the room sees changed.
                rooms.put(roomId, new RoomTyping(Map.copyOf(expiries), room == null ? 0 : room.position()));
                position = -1;
            } else {
                position = ++serial;
                rooms.put(roomId, new RoomTyping(Map.copyOf(expiries), position));
            }
        } finally {
            lock.unlock();
        }
        if (typing) {
            expiry.schedule(() -> expire(roomId), until - now, TimeUnit.MILLISECONDS);
        }
        if (position > 0) {
            streams.advanced(StreamId.TYPING, position, roomId);
        }
        listener.typing(roomId, userId, typing, timeoutMs);
    }

    /**
     * Who is typing in {@code roomId} if that changed after typing position {@code after}; empty if
     * it did not.
     */
    public Optional<List<String>> changedSince(String roomId, long after) {
        RoomTyping room = rooms.get(roomId);
        if (room == null || room.position() <= after) {
            return Optional.empty();
        }
        List<String> users = new ArrayList<>(room.expiries().keySet());
        users.sort(null);
        return Optional.of(users);
    }

    /** Removes the room's typists whose time ran out. */
    private void expire(String roomId) {
        long now = clock.millis();
        long position = -1;
        lock.lock();
        try {
            RoomTyping room = rooms.get(roomId);
            if (room == null) {
                return;
            }
            Map<String, Long> left = new HashMap<>(room.expiries());
            if (left.values().removeIf(until -> until <= now)) {
                position = ++serial;
                rooms.put(roomId, new RoomTyping(Map.copyOf(left), position));
            }
        } finally {
            lock.unlock();
        }
        if (position > 0) {
            streams.advanced(StreamId.TYPING, position, roomId);
        }
    }

    @Override
    public void close() {
        expiry.shutdownNow();
    }
}
