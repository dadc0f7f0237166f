package org.myelin.storage.sync;

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
import java.util.Optional;
import java.util.Set;

/** What /sync asks of a room besides its timeline: state at a position, counts, members for the summary. */
public final class RoomSyncQueries {

    /** A room's last visible event at or before a position, and the snapshot of the state after it. */
    public record EventAt(String eventId, long streamOrdering, long stateAfterSnapshot) {
    }

    /**
     * The members of a room for its summary.
     *
     * @param heroes up to the requested number of other users, joined or invited first, in the order
     *               their membership took effect; left and banned users only when there are none
     */
    public record MemberSummary(int joined, int invited, List<String> heroes) {
    }

    private final DataSource dataSource;

    public RoomSyncQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The room's last visible event at or before {@code position} that has a place in the graph. */
    public Optional<EventAt> lastEventAtOrBefore(String roomId, long position) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT e.event_id, e.stream_ordering, s.after_snapshot
                FROM events e JOIN event_state s ON s.event_nid = e.event_nid
                WHERE e.room_id = ? AND e.stream_ordering <= ? AND NOT e.soft_failed AND e.rejected_reason IS NULL
                ORDER BY e.stream_ordering DESC LIMIT 1""")) {
            ps.setString(1, roomId);
            ps.setLong(2, position);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new EventAt(rs.getString(1), rs.getLong(2), rs.getLong(3)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Those of {@code roomIds} with visible events at positions in ({@code after}, {@code upTo}]. */
    public Set<String> roomsWithEventsBetween(Collection<String> roomIds, long after, long upTo) {
        Set<String> active = new HashSet<>();
        if (roomIds.isEmpty() || upTo <= after) {
            return active;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT room_id FROM events
                WHERE stream_ordering > ? AND stream_ordering <= ? AND room_id = ANY(?)
                  AND NOT soft_failed AND rejected_reason IS NULL""")) {
            ps.setLong(1, after);
            ps.setLong(2, upTo);
            ps.setArray(3, c.createArrayOf("text", roomIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    active.add(rs.getString(1));
                }
            }
            return active;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The position of the last event {@code sender} sent to the room at or before {@code upTo}; 0 if none. */
    public long lastSentBy(String roomId, String sender, long upTo) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT COALESCE(MAX(stream_ordering), 0) FROM events
                WHERE room_id = ? AND sender = ? AND stream_ordering > 0 AND stream_ordering <= ?""")) {
            ps.setString(1, roomId);
            ps.setString(2, sender);
            ps.setLong(3, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * The position of {@code userId}'s last membership event in the room at or before {@code upTo}
     * (their join, for a member); 0 if none.
     */
    public long lastMembershipOf(String roomId, String userId, long upTo) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT COALESCE(MAX(stream_ordering), 0) FROM events
                WHERE room_id = ? AND type = 'm.room.member' AND state_key = ? AND stream_ordering > 0
                  AND stream_ordering <= ? AND NOT soft_failed AND rejected_reason IS NULL""")) {
            ps.setString(1, roomId);
            ps.setString(2, userId);
            ps.setLong(3, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * How many visible events of {@code types} others than {@code reader} sent to the room with
     * positions in ({@code after}, {@code upTo}].
     */
    public int countFromOthers(String roomId, String reader, Collection<String> types, long after, long upTo) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT COUNT(*) FROM events
                WHERE room_id = ? AND stream_ordering > ? AND stream_ordering <= ? AND sender <> ?
                  AND type = ANY(?) AND NOT soft_failed AND rejected_reason IS NULL""")) {
            ps.setString(1, roomId);
            ps.setLong(2, after);
            ps.setLong(3, upTo);
            ps.setString(4, reader);
            ps.setArray(5, c.createArrayOf("text", types.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return (int) Math.min(Integer.MAX_VALUE, rs.getLong(1));
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Member counts and up to {@code heroCount} heroes other than {@code userId}, per the current state. */
    public MemberSummary summary(String roomId, String userId, int heroCount) {
        try (Connection c = dataSource.getConnection()) {
            int joined = 0;
            int invited = 0;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT membership, COUNT(*) FROM room_memberships
                    WHERE room_id = ? AND membership IN ('join', 'invite') GROUP BY membership""")) {
                ps.setString(1, roomId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if ("join".equals(rs.getString(1))) {
                            joined = rs.getInt(2);
                        } else {
                            invited = rs.getInt(2);
                        }
                    }
                }
            }
            List<String> heroes = heroes(c, roomId, userId, heroCount, "('join', 'invite')");
            if (heroes.isEmpty()) {
                heroes = heroes(c, roomId, userId, heroCount, "('leave', 'ban')");
            }
            return new MemberSummary(joined, invited, heroes);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private static List<String> heroes(Connection c, String roomId, String userId, int count, String memberships)
            throws SQLException {
        List<String> heroes = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT user_id FROM room_memberships WHERE room_id = ?"
                + " AND user_id <> ? AND membership IN " + memberships
                + " ORDER BY COALESCE(stream_ordering, 0), user_id LIMIT ?")) {
            ps.setString(1, roomId);
            ps.setString(2, userId);
            ps.setInt(3, count);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    heroes.add(rs.getString(1));
                }
            }
        }
        return heroes;
    }

    /** Everyone who shares a joined room with {@code userId}, the user included. */
    public Set<String> usersSharingARoomWith(String userId) {
        Set<String> users = new HashSet<>();
        users.add(userId);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT other.user_id FROM room_memberships mine
                JOIN room_memberships other ON other.room_id = mine.room_id
                WHERE mine.user_id = ? AND mine.membership = 'join' AND other.membership = 'join'""")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    users.add(rs.getString(1));
                }
            }
            return users;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Those of {@code candidates} who share a joined room with {@code userId} (the user included). */
    public Set<String> sharingARoomWith(String userId, Collection<String> candidates) {
        Set<String> sharing = new HashSet<>();
        if (candidates.isEmpty()) {
            return sharing;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT other.user_id FROM room_memberships mine
                JOIN room_memberships other ON other.room_id = mine.room_id
                WHERE mine.user_id = ? AND mine.membership = 'join' AND other.membership = 'join'
                  AND other.user_id = ANY(?)""")) {
            ps.setString(1, userId);
            ps.setArray(2, c.createArrayOf("text", candidates.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sharing.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
        if (candidates.contains(userId)) {
            sharing.add(userId);
        }
        return sharing;
    }
}
