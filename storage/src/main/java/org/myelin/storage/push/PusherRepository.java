package org.myelin.storage.push;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Pushers (client-server API, "Push Notifications"; {@code POST /pushers/set}): one per user, app
 * id and pushkey, with the position of the last push action its pusher handled, so that a
 * restart sends what was not acknowledged.
 */
public final class PusherRepository {

    private static final String COLUMNS = "id, user_id, device_id, kind, app_id, app_display_name, "
            + "device_display_name, pushkey, pushkey_ts, lang, data, profile_tag, last_stream_ordering, "
            + "failing_since_ts";

    /**
     * A pusher as stored.
     *
     * @param deviceId         the device that created it, or null
     * @param pushkeyTs        when the pushkey was last set (ms)
     * @param dataJson         the {@code data} object as the client gave it
     * @param failingSinceTs   since when its gateway has been failing (ms), or null
     */
    public record StoredPusher(long id, String userId, String deviceId, String kind, String appId,
                               String appDisplayName, String deviceDisplayName, String pushkey, long pushkeyTs,
                               String lang, String dataJson, String profileTag, long lastStreamOrdering,
                               Long failingSinceTs) {
    }

    /** A pusher to create or replace (by app id, pushkey and user). */
    public record NewPusher(String userId, String deviceId, String kind, String appId, String appDisplayName,
                            String deviceDisplayName, String pushkey, long pushkeyTs, String lang, String dataJson,
                            String profileTag, long lastStreamOrdering) {
    }

    private final DataSource dataSource;

    public PusherRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<StoredPusher> all() {
        return select("SELECT " + COLUMNS + " FROM pushers ORDER BY id", ps -> { });
    }

    public List<StoredPusher> ofUser(String userId) {
        return select("SELECT " + COLUMNS + " FROM pushers WHERE user_id = ? ORDER BY id", ps -> ps.setString(1, userId));
    }

    public List<StoredPusher> byAppIdAndPushkey(String appId, String pushkey) {
        return select("SELECT " + COLUMNS + " FROM pushers WHERE app_id = ? AND pushkey = ? ORDER BY id", ps -> {
            ps.setString(1, appId);
            ps.setString(2, pushkey);
        });
    }

    public Optional<StoredPusher> find(String userId, String appId, String pushkey) {
        return select("SELECT " + COLUMNS + " FROM pushers WHERE user_id = ? AND app_id = ? AND pushkey = ?", ps -> {
            ps.setString(1, userId);
            ps.setString(2, appId);
            ps.setString(3, pushkey);
        }).stream().findFirst();
    }

    /**
     * Creates the pusher, or replaces the one with its app id, pushkey and user: a replaced one
     * keeps its device (Synapse: one device may change another's pusher) and starts again from
     * {@code lastStreamOrdering}, not failing.
     */
    public StoredPusher upsert(NewPusher p) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pushers (user_id, device_id, kind, app_id, "
                    + "app_display_name, device_display_name, pushkey, pushkey_ts, lang, data, profile_tag, "
                    + "last_stream_ordering) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (app_id, pushkey, user_id) DO UPDATE SET kind = EXCLUDED.kind, "
                    + "app_display_name = EXCLUDED.app_display_name, "
                    + "device_display_name = EXCLUDED.device_display_name, pushkey_ts = EXCLUDED.pushkey_ts, "
                    + "lang = EXCLUDED.lang, data = EXCLUDED.data, profile_tag = EXCLUDED.profile_tag, "
                    + "last_stream_ordering = EXCLUDED.last_stream_ordering, failing_since_ts = NULL "
                    + "RETURNING " + COLUMNS)) {
                ps.setString(1, p.userId());
                ps.setString(2, p.deviceId());
                ps.setString(3, p.kind());
                ps.setString(4, p.appId());
                ps.setString(5, p.appDisplayName());
                ps.setString(6, p.deviceDisplayName());
                ps.setString(7, p.pushkey());
                ps.setLong(8, p.pushkeyTs());
                ps.setString(9, p.lang());
                ps.setString(10, p.dataJson());
                ps.setString(11, p.profileTag());
                ps.setLong(12, p.lastStreamOrdering());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return read(rs);
                }
            }
        });
    }

    /** Deletes the user's pusher with this app id and pushkey; whether there was one. */
    public boolean delete(String userId, String appId, String pushkey) {
        return update("DELETE FROM pushers WHERE user_id = ? AND app_id = ? AND pushkey = ?", ps -> {
            ps.setString(1, userId);
            ps.setString(2, appId);
            ps.setString(3, pushkey);
        }) > 0;
    }

    /** Deletes the user's pushers created by any of {@code deviceIds}; returns them. */
    public List<StoredPusher> deleteOfDevices(String userId, Collection<String> deviceIds) {
        return select("DELETE FROM pushers WHERE user_id = ? AND device_id = ANY(?) RETURNING " + COLUMNS, ps -> {
            ps.setString(1, userId);
            ps.setArray(2, ps.getConnection().createArrayOf("text", deviceIds.toArray()));
        });
    }

    /**
     * Records that the pusher handled the push actions up to {@code position} (and that its
     * gateway answered, at {@code successTs}, unless null); false when the pusher is gone.
     */
    public boolean advance(long id, long position, Long successTs) {
        return update("UPDATE pushers SET last_stream_ordering = GREATEST(last_stream_ordering, ?), "
                + "last_success_ts = COALESCE(?, last_success_ts), failing_since_ts = NULL WHERE id = ?", ps -> {
            ps.setLong(1, position);
            if (successTs == null) {
                ps.setNull(2, Types.BIGINT);
            } else {
                ps.setLong(2, successTs);
            }
            ps.setLong(3, id);
        }) > 0;
    }

    /** Records since when the pusher's gateway has been failing. */
    public void failingSince(long id, long sinceTs) {
        update("UPDATE pushers SET failing_since_ts = ? WHERE id = ?", ps -> {
            ps.setLong(1, sinceTs);
            ps.setLong(2, id);
        });
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<StoredPusher> select(String sql, Binder binder) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                List<StoredPusher> found = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(read(rs));
                    }
                }
                return found;
            }
        });
    }

    private int update(String sql, Binder binder) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                return ps.executeUpdate();
            }
        });
    }

    private static StoredPusher read(ResultSet rs) throws SQLException {
        long failing = rs.getLong(14);
        Long failingSince = rs.wasNull() ? null : failing;
        return new StoredPusher(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getLong(9), rs.getString(10), rs.getString(11),
                rs.getString(12), rs.getLong(13), failingSince);
    }
}
