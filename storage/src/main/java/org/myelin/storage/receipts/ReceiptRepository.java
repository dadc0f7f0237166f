package org.myelin.storage.receipts;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;
import org.myelin.storage.streams.StreamCounters;
import org.myelin.storage.streams.StreamKind;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Receipts (client-server API, "Receipts"): the latest one per room, receipt type, user and thread,
 * each with its position in the receipts stream.
 */
public final class ReceiptRepository {

    /**
     * One receipt.
     *
     * @param threadId the thread root's event id or {@code main}; null for an unthreaded receipt
     * @param position its position in the receipts stream
     */
    public record Receipt(String roomId, String receiptType, String userId, String threadId, String eventId,
                          long ts, long position) {
    }

    /** What a receipt says, before it is stored. */
    public record NewReceipt(String roomId, String receiptType, String userId, String threadId, String eventId,
                             Long eventStreamOrdering, long ts) {
    }

    private final DataSource dataSource;

    public ReceiptRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores {@code receipt} unless the stored one for the same room, type, user and thread already
     * points at a later event (receipts only move forward). Returns the new stream position, or
     * empty when nothing changed.
     */
    public OptionalLong put(NewReceipt receipt) {
        return Transactions.inTransaction(dataSource, c -> {
            String thread = receipt.threadId() == null ? "" : receipt.threadId();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT event_id, event_stream_ordering FROM receipts
                    WHERE room_id = ? AND receipt_type = ? AND user_id = ? AND thread_id = ? FOR UPDATE""")) {
                ps.setString(1, receipt.roomId());
                ps.setString(2, receipt.receiptType());
                ps.setString(3, receipt.userId());
                ps.setString(4, thread);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long existing = rs.getLong(2);
                        boolean known = !rs.wasNull();
                        if (rs.getString(1).equals(receipt.eventId()) || (known && receipt.eventStreamOrdering() != null
                                && receipt.eventStreamOrdering() <= existing)) {
                            return OptionalLong.empty();
                        }
                    }
                }
            }
            long position = StreamCounters.next(c, StreamKind.RECEIPTS);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO receipts (room_id, receipt_type, user_id, thread_id, event_id, event_stream_ordering,
                                          ts, stream_position)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (room_id, receipt_type, user_id, thread_id) DO UPDATE SET event_id = EXCLUDED.event_id,
                        event_stream_ordering = EXCLUDED.event_stream_ordering, ts = EXCLUDED.ts,
                        stream_position = EXCLUDED.stream_position""")) {
                ps.setString(1, receipt.roomId());
                ps.setString(2, receipt.receiptType());
                ps.setString(3, receipt.userId());
                ps.setString(4, thread);
                ps.setString(5, receipt.eventId());
                if (receipt.eventStreamOrdering() == null) {
                    ps.setNull(6, Types.BIGINT);
                } else {
                    ps.setLong(6, receipt.eventStreamOrdering());
                }
                ps.setLong(7, receipt.ts());
                ps.setLong(8, position);
                ps.executeUpdate();
            }
            return OptionalLong.of(position);
        });
    }

    /** The receipts of {@code roomIds} with positions in ({@code from}, {@code to}], in position order. */
    public List<Receipt> changed(Collection<String> roomIds, long from, long to) {
        List<Receipt> found = new ArrayList<>();
        if (roomIds.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT room_id, receipt_type, user_id, thread_id, event_id, ts, stream_position FROM receipts
                WHERE room_id = ANY(?) AND stream_position > ? AND stream_position <= ?
                ORDER BY stream_position""")) {
            ps.setArray(1, c.createArrayOf("text", roomIds.toArray()));
            ps.setLong(2, from);
            ps.setLong(3, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String thread = rs.getString(4);
                    found.add(new Receipt(rs.getString(1), rs.getString(2), rs.getString(3),
                            thread.isEmpty() ? null : thread, rs.getString(5), rs.getLong(6), rs.getLong(7)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * How far {@code userId} has read {@code roomId} in each thread: the highest timeline position
     * among their receipts of {@code receiptTypes} by thread id ({@code ""} for unthreaded
     * receipts, {@code main} for the main timeline); receipts of events without a position are left out.
     */
    public Map<String, Long> readUpToByThread(String roomId, String userId, Collection<String> receiptTypes) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT thread_id, MAX(event_stream_ordering) FROM receipts
                WHERE room_id = ? AND user_id = ? AND receipt_type = ANY(?) AND event_stream_ordering IS NOT NULL
                GROUP BY thread_id""")) {
            ps.setString(1, roomId);
            ps.setString(2, userId);
            ps.setArray(3, c.createArrayOf("text", receiptTypes.toArray()));
            Map<String, Long> found = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getLong(2));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * {@link #readUpToByThread} for many rooms in one statement: by room id, then thread id
     * (rooms without receipts are absent).
     */
    public Map<String, Map<String, Long>> readUpToByThread(Collection<String> roomIds, String userId,
                                                           Collection<String> receiptTypes) {
        Map<String, Map<String, Long>> found = new HashMap<>();
        if (roomIds.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT room_id, thread_id, MAX(event_stream_ordering) FROM receipts
                WHERE room_id = ANY(?) AND user_id = ? AND receipt_type = ANY(?) AND event_stream_ordering IS NOT NULL
                GROUP BY room_id, thread_id""")) {
            ps.setArray(1, c.createArrayOf("text", roomIds.toArray()));
            ps.setString(2, userId);
            ps.setArray(3, c.createArrayOf("text", receiptTypes.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.computeIfAbsent(rs.getString(1), r -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * How far {@code userId} has read {@code roomId}'s main timeline: the highest timeline position
     * among their unthreaded and {@code main} receipts of {@code receiptTypes}; 0 if none.
     */
    public long readUpTo(String roomId, String userId, Collection<String> receiptTypes) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT COALESCE(MAX(event_stream_ordering), 0) FROM receipts
                WHERE room_id = ? AND user_id = ? AND receipt_type = ANY(?) AND thread_id IN ('', 'main')""")) {
            ps.setString(1, roomId);
            ps.setString(2, userId);
            ps.setArray(3, c.createArrayOf("text", receiptTypes.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
