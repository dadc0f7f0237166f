package org.myelin.storage.keys;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who started or stopped sharing a room between two timeline positions: what device list tracking
 * needs besides the device list stream (client-server API, "Tracking the device list for a
 * user": a user who newly shares a room is reported changed, one who shares none any more left).
 */
public final class MembershipChanges {

    /**
     * A member whose membership of a room changed in the range.
     *
     * @param before the membership at the start of the range, null if there was none
     * @param after  the membership at its end
     */
    public record MemberChange(String roomId, String userId, String before, String after) {
        public boolean joined() {
            return "join".equals(after) && !"join".equals(before);
        }

        public boolean left() {
            return "join".equals(before) && !"join".equals(after);
        }
    }

    private static final String MEMBERSHIP = "event_jsonb(json) -> 'content' ->> 'membership'";

    private final DataSource dataSource;

    public MembershipChanges(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The members of {@code roomIds} whose membership changed to or from {@code join} between
     * positions {@code after} (exclusive) and {@code upTo}: display name changes are no change here.
     */
    public List<MemberChange> between(Collection<String> roomIds, long after, long upTo) {
        List<MemberChange> changes = new ArrayList<>();
        if (roomIds.isEmpty() || upTo <= after) {
            return changes;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT latest.room_id, latest.state_key, latest.membership,
                       (SELECT %1$s FROM events p WHERE p.room_id = latest.room_id AND p.type = 'm.room.member'
                          AND p.state_key = latest.state_key AND p.stream_ordering > 0 AND p.stream_ordering <= ?
                          AND NOT p.soft_failed AND p.rejected_reason IS NULL
                        ORDER BY p.stream_ordering DESC LIMIT 1)
                FROM (SELECT DISTINCT ON (room_id, state_key) room_id, state_key, %1$s AS membership
                      FROM events WHERE room_id = ANY(?) AND type = 'm.room.member'
                        AND stream_ordering > ? AND stream_ordering <= ?
                        AND NOT soft_failed AND rejected_reason IS NULL
                      ORDER BY room_id, state_key, stream_ordering DESC) latest""".formatted(MEMBERSHIP))) {
            ps.setLong(1, after);
            ps.setArray(2, c.createArrayOf("text", roomIds.toArray()));
            ps.setLong(3, after);
            ps.setLong(4, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MemberChange change = new MemberChange(rs.getString(1), rs.getString(2), rs.getString(4),
                            rs.getString(3));
                    if (change.joined() || change.left()) {
                        changes.add(change);
                    }
                }
            }
            return changes;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The users joined to any of {@code roomIds} now. */
    public Set<String> joinedMembers(Collection<String> roomIds) {
        Set<String> members = new HashSet<>();
        if (roomIds.isEmpty()) {
            return members;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT user_id FROM room_memberships WHERE room_id = ANY(?) AND membership = 'join'")) {
            ps.setArray(1, c.createArrayOf("text", roomIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.add(rs.getString(1));
                }
            }
            return members;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
