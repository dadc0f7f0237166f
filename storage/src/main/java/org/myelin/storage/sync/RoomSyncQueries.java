package org.myelin.storage.sync;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

    /**
     * A user's last positions in a room.
     *
     * @param sent       their last event's, 0 if none
     * @param membership their last visible membership event's, 0 if none
     */
    public record UserPositions(long sent, long membership) {
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
     * For each of {@code roomIds}, the positions of {@code userId}'s last event and last visible
     * membership event there ({@link #lastSentBy} and {@link #lastMembershipOf} with no upper
     * bound), in one statement; rooms where the user has neither are absent.
     */
    public Map<String, UserPositions> lastPositionsOf(String userId, Collection<String> roomIds) {
        Map<String, UserPositions> found = new HashMap<>();
        if (roomIds.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT room_id, COALESCE(MAX(stream_ordering) FILTER (WHERE sender = ?), 0),
                       COALESCE(MAX(stream_ordering) FILTER (WHERE type = 'm.room.member' AND state_key = ?
                                AND NOT soft_failed AND rejected_reason IS NULL), 0)
                FROM events
                WHERE room_id = ANY(?) AND stream_ordering > 0
                  AND (sender = ? OR (type = 'm.room.member' AND state_key = ?))
                GROUP BY room_id""")) {
            ps.setString(1, userId);
            ps.setString(2, userId);
            ps.setArray(3, c.createArrayOf("text", roomIds.toArray()));
            ps.setString(4, userId);
            ps.setString(5, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), new UserPositions(rs.getLong(2), rs.getLong(3)));
                }
            }
            return found;
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

    /** {@link #summary} of many rooms in two statements, by room id. */
    public Map<String, MemberSummary> summaries(Collection<String> roomIds, String userId, int heroCount) {
        Map<String, int[]> counts = new HashMap<>();
        Map<String, List<String>> active = new HashMap<>();
        Map<String, List<String>> former = new HashMap<>();
        if (roomIds.isEmpty()) {
            return Map.of();
        }
        try (Connection c = dataSource.getConnection()) {
            java.sql.Array rooms = c.createArrayOf("text", roomIds.toArray());
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT room_id, membership, COUNT(*) FROM room_memberships
                    WHERE room_id = ANY(?) AND membership IN ('join', 'invite') GROUP BY room_id, membership""")) {
                ps.setArray(1, rooms);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int[] joinedInvited = counts.computeIfAbsent(rs.getString(1), r -> new int[2]);
                        joinedInvited["join".equals(rs.getString(2)) ? 0 : 1] = rs.getInt(3);
                    }
                }
            }
            // The first heroCount others of each room among joined and invited members, and among
            // those who left or were banned (used only where the first are none), in order.
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT room_id, user_id, active FROM (
                        SELECT room_id, user_id, membership IN ('join', 'invite') AS active,
                               row_number() OVER (PARTITION BY room_id, membership IN ('join', 'invite')
                                                  ORDER BY COALESCE(stream_ordering, 0), user_id) AS n
                        FROM room_memberships
                        WHERE room_id = ANY(?) AND user_id <> ? AND membership IN ('join', 'invite', 'leave', 'ban')
                    ) ranked WHERE n <= ? ORDER BY room_id, n""")) {
                ps.setArray(1, rooms);
                ps.setString(2, userId);
                ps.setInt(3, heroCount);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        (rs.getBoolean(3) ? active : former).computeIfAbsent(rs.getString(1), r -> new ArrayList<>())
                                .add(rs.getString(2));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
        Map<String, MemberSummary> summaries = new HashMap<>();
        for (String roomId : roomIds) {
            int[] joinedInvited = counts.getOrDefault(roomId, new int[2]);
            List<String> heroes = active.getOrDefault(roomId, former.getOrDefault(roomId, List.of()));
            summaries.put(roomId, new MemberSummary(joinedInvited[0], joinedInvited[1], heroes));
        }
        return summaries;
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
