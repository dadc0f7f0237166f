package org.myelin.storage.streams;

import org.myelin.storage.StorageException;
import org.myelin.storage.presence.PresenceRepository;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Hands out stream positions. {@link #next} is called inside the transaction that writes the
 * change: it updates the stream's row in {@code stream_positions}, whose lock the transaction then
 * holds until it ends, so a later position is never committed before an earlier one. A reader that
 * has been told position N is committed (see the server's {@code Streams}) can read every change
 * up to N.
 *
 * <p>Repositories of other streams (presence, to-device, device lists) call {@link #next} the same
 * way, from their own transactions.
 */
public final class StreamCounters {

    private final DataSource dataSource;

    public StreamCounters(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The next position of {@code stream}, allocated in the caller's transaction. */
    public static long next(Connection c, StreamKind stream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE stream_positions SET position = position + 1 WHERE stream = ? RETURNING position")) {
            ps.setString(1, stream.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StorageException("unknown stream " + stream.key());
                }
                return rs.getLong(1);
            }
        }
    }

    /**
     * The next {@code count} positions of {@code stream}, allocated in the caller's transaction
     * with one update: returns the last; the first is {@code last - count + 1}.
     */
    public static long reserve(Connection c, StreamKind stream, int count) throws SQLException {
        if (count < 1) {
            throw new IllegalArgumentException("reserve at least one position, not " + count);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE stream_positions SET position = position + ? WHERE stream = ? RETURNING position")) {
            ps.setLong(1, count);
            ps.setString(2, stream.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StorageException("unknown stream " + stream.key());
                }
                return rs.getLong(1);
            }
        }
    }

    /** Positions of {@code stream} for the presence repository, which takes them from an allocator. */
    public static PresenceRepository.PositionAllocator allocator(StreamKind stream) {
        return c -> next(c, stream);
    }

    /** The last position handed out per stream, committed or not: where a starting process begins. */
    public Map<StreamKind, Long> current() {
        Map<StreamKind, Long> positions = new EnumMap<>(StreamKind.class);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT stream, position FROM stream_positions");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                for (StreamKind kind : StreamKind.values()) {
                    if (kind.key().equals(rs.getString(1))) {
                        positions.put(kind, rs.getLong(2));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
        for (StreamKind kind : StreamKind.values()) {
            positions.putIfAbsent(kind, 0L);
        }
        return positions;
    }
}
