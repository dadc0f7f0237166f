package org.myelin.storage.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.StateKey;
import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads and writes state snapshots. Reading walks the chain of deltas up to the nearest full
 * copy in one recursive query; recently read snapshots are cached, since a busy room reads the
 * same few over and over and an initial /sync reads one or two of every room the user is in.
 * The cache is bounded by state entries, not snapshots: a snapshot of a room of 10,000 members
 * weighs as much as a thousand small rooms'.
 */
public final class StateSnapshotRepository {

    /** State entries cached over all snapshots (snapshots share their maps' structure, so fewer bytes than this suggests). */
    static final long CACHED_ENTRIES = 200_000;

    private static final String LOAD = """
            WITH RECURSIVE chain (snapshot_id, parent_id, hops) AS (
                SELECT snapshot_id, parent_id, 0 FROM state_snapshots WHERE snapshot_id = ?
                UNION ALL
                SELECT s.snapshot_id, s.parent_id, c.hops + 1
                FROM state_snapshots s JOIN chain c ON s.snapshot_id = c.parent_id
            )
            SELECT DISTINCT ON (e.type, e.state_key) e.type, e.state_key, e.event_id
            FROM chain c JOIN state_snapshot_entries e ON e.snapshot_id = c.snapshot_id
            ORDER BY e.type, e.state_key, c.hops
            """;

    private final DataSource dataSource;
    private final Cache<Long, Map<StateKey, String>> cache = Caffeine.newBuilder().recordStats()
            .maximumWeight(CACHED_ENTRIES)
            .weigher((Long id, Map<StateKey, String> state) -> state.size() + 1)
            .executor(Runnable::run)
            .build();

    public StateSnapshotRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The whole state a snapshot holds: state key to event id. Immutable. */
    public Map<StateKey, String> load(long snapshotId) {
        Map<StateKey, String> cached = cache.getIfPresent(snapshotId);
        if (cached != null) {
            return cached;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LOAD)) {
            ps.setLong(1, snapshotId);
            Map<StateKey, String> state = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String eventId = rs.getString(3);
                    if (eventId != null) {
                        state.put(new StateKey(rs.getString(1), rs.getString(2)), eventId);
                    }
                }
            }
            // One persistent map per snapshot read: the states made from it share it, and a
            // snapshot read again is this map, not another copy of the room.
            Map<StateKey, String> result = StateMaps.of(state);
            cache.put(snapshotId, result);
            return result;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The snapshot with this id, as a handle for building children. */
    public StateSnapshot find(String roomId, long snapshotId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT delta_level FROM state_snapshots WHERE snapshot_id = ?")) {
            ps.setLong(1, snapshotId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StorageException("no state snapshot " + snapshotId);
                }
                return StateSnapshot.existing(roomId, snapshotId, rs.getInt(1));
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Writes {@code snapshot} and any unwritten ancestors, parents first, inside the caller's
     * transaction; adds each one written to {@code written}, so that a rollback can
     * {@link #forget} their ids.
     */
    public void write(Connection c, StateSnapshot snapshot, java.util.List<StateSnapshot> written) throws SQLException {
        Deque<StateSnapshot> unwritten = new ArrayDeque<>();
        for (StateSnapshot s = snapshot; s != null && !s.isWritten(); s = s.parent()) {
            unwritten.push(s);
        }
        while (!unwritten.isEmpty()) {
            StateSnapshot s = unwritten.pop();
            writeOne(c, s);
            written.add(s);
        }
    }

    /** Marks snapshots unwritten again: the transaction that wrote them rolled back. */
    public static void forget(java.util.List<StateSnapshot> written) {
        for (StateSnapshot s : written) {
            s.assignId(0);
        }
    }

    private void writeOne(Connection c, StateSnapshot s) throws SQLException {
        long id;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO state_snapshots (room_id, parent_id, delta_level) VALUES (?, ?, ?) RETURNING snapshot_id")) {
            ps.setString(1, s.roomId());
            if (s.parent() == null) {
                ps.setNull(2, java.sql.Types.BIGINT);
            } else {
                ps.setLong(2, s.parent().id());
            }
            ps.setInt(3, s.level());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        if (!s.delta().isEmpty()) {
            // One statement for the whole delta (a full copy of a big room's state included).
            int n = s.delta().size();
            String[] types = new String[n];
            String[] stateKeys = new String[n];
            String[] eventIds = new String[n];
            int i = 0;
            for (Map.Entry<StateKey, String> entry : s.delta().entrySet()) {
                types[i] = entry.getKey().type();
                stateKeys[i] = entry.getKey().stateKey();
                eventIds[i] = entry.getValue();
                i++;
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO state_snapshot_entries"
                    + " (snapshot_id, type, state_key, event_id)"
                    + " SELECT ?, unnest(?::text[]), unnest(?::text[]), unnest(?::text[])")) {
                ps.setLong(1, id);
                ps.setArray(2, c.createArrayOf("text", types));
                ps.setArray(3, c.createArrayOf("text", stateKeys));
                ps.setArray(4, c.createArrayOf("text", eventIds));
                ps.executeUpdate();
            }
        }
        s.assignId(id);
    }

    /** Drops cached snapshots, after a failed transaction may have left ids unused. */
    public void clearCache() {
        cache.invalidateAll();
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("state_snapshots", cache);
    }
}
