package org.myelin.storage.sync;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's own membership events in timeline order: which rooms they were in at a given stream
 * position and how that changed between two positions. This is what /sync sorts rooms into its
 * join, invite, leave and knock sections by; unlike {@code room_memberships} (the current state
 * only) it answers for any position, so a sync never reports a change it has not reached yet.
 */
public final class MembershipHistory {

    /** One of the user's membership events. */
    public record MembershipEvent(String roomId, String eventId, String membership, String sender,
                                  long streamOrdering) {
    }

    private static final String COLUMNS = "room_id, event_id, "
            + "event_jsonb(json) -> 'content' ->> 'membership', sender, stream_ordering";
    /**
     * Member events with a timeline position: those of the rooms' graphs and the out-of-band
     * memberships of rooms this server is not in (invites from other servers, their rejections,
     * knocks), which are outliers with a position. Other outliers have none.
     */
    private static final String VISIBLE_MEMBER_EVENTS = " FROM events WHERE type = 'm.room.member' AND state_key = ?"
            + " AND NOT soft_failed AND rejected_reason IS NULL";

    private final DataSource dataSource;

    public MembershipHistory(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Per room, the user's latest membership event at or before {@code upTo}, keyed by room. */
    public Map<String, MembershipEvent> latestPerRoom(String userId, long upTo) {
        Map<String, MembershipEvent> byRoom = new LinkedHashMap<>();
        for (MembershipEvent e : query("SELECT DISTINCT ON (room_id) " + COLUMNS + VISIBLE_MEMBER_EVENTS
                + " AND stream_ordering > ? AND stream_ordering <= ? ORDER BY room_id, stream_ordering DESC",
                userId, 0, upTo)) {
            byRoom.put(e.roomId(), e);
        }
        return byRoom;
    }

    /** The user's membership events with positions in ({@code after}, {@code upTo}], in order. */
    public List<MembershipEvent> between(String userId, long after, long upTo) {
        return query("SELECT " + COLUMNS + VISIBLE_MEMBER_EVENTS
                + " AND stream_ordering > ? AND stream_ordering <= ? ORDER BY stream_ordering", userId, after, upTo);
    }

    /** Whether the user was joined to {@code roomId} at any position at or before {@code upTo}. */
    public boolean everJoined(String userId, String roomId, long upTo) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1"
                + VISIBLE_MEMBER_EVENTS + " AND room_id = ? AND stream_ordering <= ?"
                + " AND event_jsonb(json) -> 'content' ->> 'membership' = 'join' LIMIT 1")) {
            ps.setString(1, userId);
            ps.setString(2, roomId);
            ps.setLong(3, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private List<MembershipEvent> query(String sql, String userId, long after, long upTo) {
        List<MembershipEvent> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, userId);
            ps.setLong(2, after);
            ps.setLong(3, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new MembershipEvent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
