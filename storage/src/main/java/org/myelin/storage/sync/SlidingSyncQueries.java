package org.myelin.storage.sync;

import org.myelin.storage.StorageException;
import org.myelin.storage.receipts.ReceiptRepository.Receipt;

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
import java.util.OptionalLong;
import java.util.Set;

/**
 * What sliding sync (MSC4186) asks of rooms besides what /sync asks: each room's bump stamp, type
 * and encryption for ordering and filtering its lists, and the receipts a room's first window
 * carries.
 */
public final class SlidingSyncQueries {

    /**
     * The event types that bump a room to the top of a list (Synapse's
     * {@code SLIDING_SYNC_DEFAULT_BUMP_EVENT_TYPES}): messages and their kin, not reactions,
     * edits, state or receipts.
     */
    public static final Set<String> BUMP_TYPES = Set.of("m.room.create", "m.room.message", "m.room.encrypted",
            "m.sticker", "m.call.invite", "m.poll.start", "m.beacon_info");

    /** The partial index {@code events_room_bump}'s predicate, verbatim, so that PostgreSQL uses it. */
    private static final String BUMP_EVENT = """
            type IN ('m.room.create', 'm.room.message', 'm.room.encrypted', 'm.sticker', 'm.call.invite',
                               'm.poll.start', 'm.beacon_info')
                  AND NOT soft_failed AND rejected_reason IS NULL AND stream_ordering > 0""";

    /**
     * What a list needs to know of a room.
     *
     * @param bumpStamp the position of its newest bump event; 0 when it has none (a room known only
     *                  by backfilled history)
     * @param roomType  its create event's {@code type}, null for none
     * @param encrypted whether an accepted {@code m.room.encryption} state event with an
     *                  {@code algorithm} was sent to it (encryption cannot be turned off)
     * @param known     whether this server has the room's create event
     */
    public record RoomTraits(String roomId, long bumpStamp, String roomType, boolean encrypted, boolean known) {
    }

    private final DataSource dataSource;

    public SlidingSyncQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The traits of each of {@code roomIds}, by room id. */
    public Map<String, RoomTraits> traits(Collection<String> roomIds) {
        Map<String, RoomTraits> traits = new HashMap<>();
        if (roomIds.isEmpty()) {
            return traits;
        }
        String newestBump = "(SELECT stream_ordering FROM events WHERE room_id = r.room_id AND " + BUMP_EVENT
                + " ORDER BY stream_ordering DESC LIMIT 1)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT r.room_id, " + newestBump + """
                ,
                  (SELECT event_jsonb(json) -> 'content' ->> 'type' FROM events
                   WHERE room_id = r.room_id AND type = 'm.room.create' AND state_key = '' AND rejected_reason IS NULL
                   LIMIT 1),
                  EXISTS (SELECT 1 FROM events WHERE room_id = r.room_id AND type = 'm.room.create' AND state_key = ''
                          AND rejected_reason IS NULL),
                  EXISTS (SELECT 1 FROM events WHERE room_id = r.room_id AND type = 'm.room.encryption'
                          AND state_key = '' AND NOT soft_failed AND rejected_reason IS NULL
                          AND stream_ordering IS NOT NULL
                          AND jsonb_typeof(event_jsonb(json) -> 'content' -> 'algorithm') = 'string')
                FROM unnest(?::text[]) AS r(room_id)""")) {
            ps.setArray(1, c.createArrayOf("text", roomIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String roomId = rs.getString(1);
                    traits.put(roomId, new RoomTraits(roomId, rs.getLong(2), rs.getString(3), rs.getBoolean(5),
                            rs.getBoolean(4)));
                }
            }
            return traits;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The position of the room's newest bump event at or before {@code upTo}, if any. */
    public OptionalLong bumpStampAtOrBefore(String roomId, long upTo) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT stream_ordering FROM events WHERE room_id = ? AND stream_ordering <= ? AND " + BUMP_EVENT
                        + " ORDER BY stream_ordering DESC LIMIT 1")) {
            ps.setString(1, roomId);
            ps.setLong(2, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * The receipts a room's first window carries, as Synapse sends them: those on the window's
     * events and the user's own, with positions at or before {@code upTo}, for each of
     * {@code eventsByRoom}'s rooms.
     */
    public List<Receipt> receiptsForWindows(Map<String, List<String>> eventsByRoom, String userId, long upTo) {
        List<Receipt> found = new ArrayList<>();
        if (eventsByRoom.isEmpty()) {
            return found;
        }
        List<String> eventIds = eventsByRoom.values().stream().flatMap(List::stream).toList();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT room_id, receipt_type, user_id, thread_id, event_id, ts, stream_position FROM receipts
                WHERE room_id = ANY(?) AND (event_id = ANY(?) OR user_id = ?) AND stream_position <= ?
                ORDER BY stream_position""")) {
            ps.setArray(1, c.createArrayOf("text", eventsByRoom.keySet().toArray()));
            ps.setArray(2, c.createArrayOf("text", eventIds.toArray()));
            ps.setString(3, userId);
            ps.setLong(4, upTo);
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
}
