package org.myelin.storage.rooms;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Users' memberships per the rooms' current state (kept by the event persister). */
public final class MembershipRepository {

    /** One user's membership of one room, and the event that set it. */
    public record Membership(String roomId, String userId, String membership, String eventId, Long streamOrdering) {
    }

    private final DataSource dataSource;

    public MembershipRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<Membership> of(String roomId, String userId) {
        List<Membership> found = query("SELECT room_id, user_id, membership, event_id, stream_ordering "
                + "FROM room_memberships WHERE room_id = ? AND user_id = ?", roomId, userId);
        return found.stream().findFirst();
    }

    /** The rooms where {@code userId} has {@code membership}, such as {@code join}. */
    public List<Membership> roomsOf(String userId, String membership) {
        return query("SELECT room_id, user_id, membership, event_id, stream_ordering FROM room_memberships "
                + "WHERE user_id = ? AND membership = ? ORDER BY room_id", userId, membership);
    }

    /** Every membership a user has, keyed by room. */
    public Map<String, Membership> allOf(String userId) {
        Map<String, Membership> byRoom = new LinkedHashMap<>();
        for (Membership m : query("SELECT room_id, user_id, membership, event_id, stream_ordering "
                + "FROM room_memberships WHERE user_id = ? ORDER BY room_id", userId)) {
            byRoom.put(m.roomId(), m);
        }
        return byRoom;
    }

    /** The members of a room with {@code membership}. */
    public List<Membership> members(String roomId, String membership) {
        return query("SELECT room_id, user_id, membership, event_id, stream_ordering FROM room_memberships "
                + "WHERE room_id = ? AND membership = ? ORDER BY user_id", roomId, membership);
    }

    /**
     * The servers with a user joined to any room {@code userId} is joined to (the user's own
     * among them): who hears of the user's presence. One query, however many rooms.
     */
    public Set<String> serversSharingARoomWith(String userId) {
        Set<String> servers = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT substring(other.user_id from position(':' in other.user_id) + 1) "
                        + "FROM room_memberships mine JOIN room_memberships other ON other.room_id = mine.room_id "
                        + "WHERE mine.user_id = ? AND mine.membership = 'join' AND other.membership = 'join'")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    servers.add(rs.getString(1));
                }
            }
            return servers;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Whether {@code userId} is joined to a room where a user of {@code server} is joined too. */
    public boolean sharesARoomWithServer(String userId, String server) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM room_memberships theirs JOIN room_memberships ours ON ours.room_id = theirs.room_id "
                        + "WHERE theirs.user_id = ? AND theirs.membership = 'join' AND ours.membership = 'join' "
                        + "AND substring(ours.user_id from position(':' in ours.user_id) + 1) = ? LIMIT 1")) {
            ps.setString(1, userId);
            ps.setString(2, server);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * The servers of a room's joined members, in the database's order of their names. Read by
     * skipping from each server to the next in the index of joined members' servers (migration
     * V0033): as many probes as servers, whatever the number of members.
     */
    public List<String> joinedServers(String roomId) {
        List<String> servers = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                WITH RECURSIVE servers (server) AS (
                    (SELECT substring(user_id from position(':' in user_id) + 1) FROM room_memberships
                     WHERE room_id = ? AND membership = 'join' ORDER BY 1 LIMIT 1)
                    UNION ALL
                    SELECT (SELECT substring(m.user_id from position(':' in m.user_id) + 1) FROM room_memberships m
                            WHERE m.room_id = ? AND m.membership = 'join'
                              AND substring(m.user_id from position(':' in m.user_id) + 1) > servers.server
                            ORDER BY 1 LIMIT 1)
                    FROM servers WHERE servers.server IS NOT NULL
                )
                SELECT server FROM servers WHERE server IS NOT NULL""")) {
            ps.setString(1, roomId);
            ps.setString(2, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    servers.add(rs.getString(1));
                }
            }
            return servers;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * The servers of a room's joined members, those in the room the longest first (by the
     * earliest timeline position among their members' current membership events; those without
     * one last): the servers most likely to hold the room's older history.
     */
    public List<String> joinedServersLongestFirst(String roomId) {
        List<String> servers = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT substring(user_id from position(':' in user_id) + 1) AS server FROM room_memberships
                WHERE room_id = ? AND membership = 'join'
                GROUP BY server ORDER BY MIN(stream_ordering) NULLS LAST, server""")) {
            ps.setString(1, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    servers.add(rs.getString(1));
                }
            }
            return servers;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Every server with a joined member in any room this server knows (the destinations it federates with). */
    public List<String> serversInRooms() {
        List<String> servers = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT substring(user_id from position(':' in user_id) + 1) FROM room_memberships "
                        + "WHERE membership = 'join'")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    servers.add(rs.getString(1));
                }
            }
            return servers;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private List<Membership> query(String sql, String... args) {
        List<Membership> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long ordering = rs.getLong(5);
                    found.add(new Membership(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.wasNull() ? null : ordering));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
