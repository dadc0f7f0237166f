package org.myelin.server.client.sync.sliding;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link SlidingSyncConnections} in this process's memory, as Synapse kept them before it stored
 * them in its database: bounded by the rooms the connections remember (their states' weight) and
 * forgotten after {@value #IDLE_HOURS} hour of disuse. A forgotten connection costs its client a
 * fresh start (M_UNKNOWN_POS), which clients handle; positions are unique in the process, so a
 * position of a forgotten connection is never mistaken for one of its successor.
 */
final class InMemoryConnections implements SlidingSyncConnections {

    static final int IDLE_HOURS = 1;
    /** Rooms remembered over all connections, about a hundred bytes each. */
    private static final long MAX_WEIGHT = 2_000_000;

    /** One connection's states by position: the last one resumed and those answered since. */
    private static final class Connection {
        final ReentrantLock lock = new ReentrantLock();
        final Map<Long, ConnectionState> states = new HashMap<>();
        volatile int weight = 1;

        int weigh() {
            int w = 1;
            for (ConnectionState s : states.values()) {
                w += s.weight();
            }
            return w;
        }
    }

    private final AtomicLong positions = new AtomicLong();
    private final Cache<Key, Connection> connections = Caffeine.newBuilder().recordStats()
            .maximumWeight(MAX_WEIGHT)
            .weigher((Key k, Connection c) -> c.weight)
            .expireAfterAccess(Duration.ofHours(IDLE_HOURS))
            .build();

    @Override
    public Optional<ConnectionState> resume(Key key, long position) {
        if (position == 0) {
            return Optional.of(ConnectionState.EMPTY);
        }
        Connection connection = connections.getIfPresent(key);
        if (connection == null) {
            return Optional.empty();
        }
        connection.lock.lock();
        try {
            ConnectionState state = connection.states.get(position);
            if (state != null) {
                connection.states.keySet().removeIf(p -> p != position);
                connection.weight = connection.weigh();
            }
            return Optional.ofNullable(state);
        } finally {
            connection.lock.unlock();
        }
    }

    @Override
    public long record(Key key, long previous, ConnectionState next) {
        if (previous == 0 && next.equals(ConnectionState.EMPTY)) {
            connections.invalidate(key);
            return 0;
        }
        Connection connection = previous == 0 ? new Connection() : connections.get(key, k -> new Connection());
        long position;
        connection.lock.lock();
        try {
            if (previous != 0 && next.equals(connection.states.get(previous))) {
                return previous;
            }
            position = positions.incrementAndGet();
            connection.states.put(position, next);
            connection.weight = connection.weigh();
        } finally {
            connection.lock.unlock();
        }
        if (previous == 0) {
            connections.put(key, connection);
        } else {
            // The cache weighs an entry when it is written: write it again with its new weight.
            connections.asMap().computeIfPresent(key, (k, c) -> c);
        }
        return position;
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("sliding_connections", connections);
    }
}
