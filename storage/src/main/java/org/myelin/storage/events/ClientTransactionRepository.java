package org.myelin.storage.events;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Client transaction ids (client-server API, "Transaction identifiers"): which event a device's
 * {@code PUT .../{txnId}} made, so that a retry returns the same event, also after a restart.
 *
 * <p>The row is normally written with the event itself ({@link PersistRequest#clientTransaction()}).
 * What this process sent recently is also kept in memory, both ways: the sender's own /sync asks
 * for the transaction id of each of its events, and a retry asks for the event of its key; neither
 * then goes to the store. Events committed without a transaction are remembered as such
 * ({@link #committed}) so that their absence is not looked up either.
 */
public final class ClientTransactionRepository {

    static final String INSERT = """
            INSERT INTO client_transactions (user_id, device_id, room_id, kind, txn_id, event_id, created_ts)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""";
    /** Per map: some 20,000 recent sends and events, a few MB; older ones are read from the store. */
    private static final int MAX_REMEMBERED = 20_000;
    /** Marks an event sent without a transaction in {@link #byEvent}. */
    private static final Origin NONE = new Origin("", "", "");

    /** Where a client transaction happened: one device, one endpoint kind, one room. */
    public record Key(String userId, String deviceId, String roomId, String kind, String txnId) {
    }

    /** The device and transaction id an event was sent with. */
    public record Origin(String userId, String deviceId, String txnId) {
    }

    private final DataSource dataSource;
    /** Caches only (a miss reads the store), which every send and every sender's /sync read without a lock. */
    private final Cache<Key, String> byKey = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).recordStats().build();
    private final Cache<String, Origin> byEvent = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).recordStats().build();

    public ClientTransactionRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** {@code key} made {@code eventId}, committed (with the event, or by {@link #record}). */
    public void remember(Key key, String eventId) {
        byKey.put(key, eventId);
        byEvent.put(eventId, new Origin(key.userId(), key.deviceId(), key.txnId()));
    }

    /**
     * A commit listener: remembers the transaction of each new event, or that it has none. It runs
     * before the timeline moves past the events, so the sender's /sync, woken by them, finds its
     * transaction ids here.
     */
    public void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            if (e.alreadyKnown()) {
                continue;
            }
            if (e.clientTransaction() != null) {
                remember(e.clientTransaction(), e.pdu().eventId());
            } else {
                byEvent.asMap().putIfAbsent(e.pdu().eventId(), NONE);
            }
        }
    }

    /** The event this transaction made, if it was seen before. */
    public Optional<String> eventOf(Key key) {
        String known = byKey.getIfPresent(key);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> stored = stored(key);
        stored.ifPresent(eventId -> remember(key, eventId));
        return stored;
    }

    private Optional<String> stored(Key key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT event_id FROM client_transactions
                WHERE user_id = ? AND device_id = ? AND room_id = ? AND kind = ? AND txn_id = ?""")) {
            bind(ps, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Records that {@code key} made {@code eventId}; returns the event recorded for the key, which
     * is {@code eventId} unless another request recorded one first.
     */
    public String record(Key key, String eventId, long nowMillis) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(ps, key);
            ps.setString(6, eventId);
            ps.setLong(7, nowMillis);
            if (ps.executeUpdate() == 1) {
                remember(key, eventId);
                return eventId;
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
        return eventOf(key).orElse(eventId);
    }

    /** The sending device and transaction id of each of {@code eventIds} sent with one. */
    public Map<String, Origin> originsOf(Collection<String> eventIds) {
        Map<String, Origin> found = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String eventId : eventIds) {
            Origin known = byEvent.getIfPresent(eventId);
            if (known == null) {
                unknown.add(eventId);
            } else if (known != NONE) {
                found.put(eventId, known);
            }
        }
        if (unknown.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT event_id, user_id, device_id, txn_id FROM client_transactions WHERE event_id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", unknown.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Origin origin = new Origin(rs.getString(2), rs.getString(3), rs.getString(4));
                    found.put(rs.getString(1), origin);
                    byEvent.put(rs.getString(1), origin);
                }
            }
            // Remembered either way, so that the sender's next sync does not ask again (a later
            // record of the event's transaction replaces the mark: it was not there yet).
            for (String eventId : unknown) {
                if (!found.containsKey(eventId)) {
                    byEvent.asMap().putIfAbsent(eventId, NONE);
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    static void bind(PreparedStatement ps, Key key) throws SQLException {
        ps.setString(1, key.userId());
        ps.setString(2, key.deviceId());
        ps.setString(3, key.roomId());
        ps.setString(4, key.kind());
        ps.setString(5, key.txnId());
    }

    /** This repository's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("client_transactions", byKey, "client_transaction_origins", byEvent);
    }
}
