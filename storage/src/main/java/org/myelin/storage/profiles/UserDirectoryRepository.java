package org.myelin.storage.profiles;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The user directory (client-server API, "User directory"): users a searcher may find, matched
 * case-insensitively on user id and display name. As Synapse does by default, those are the
 * users who share a joined room with the searcher and those joined to a public room, one whose
 * current state lets anyone join it ({@code join_rule: public}) or read it
 * ({@code history_visibility: world_readable}), kept as it changes in
 * {@code user_directory_public_rooms} (migration V0008); the searcher included, and optionally
 * every active, non-guest user of this server. Local users are shown with their global profile,
 * other servers' with the name and avatar of their membership event.
 */
public final class UserDirectoryRepository {

    /** One user found; display name and avatar null when unset. */
    public record Found(String userId, String displayName, String avatarUrl) {
    }

    private final DataSource dataSource;

    public UserDirectoryRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Up to {@code limit} users {@code searcher} may find whose user id or display name contains
     * {@code term}: those whose name or user localpart starts with it first, then by user id.
     *
     * @param allLocalUsers whether every active, non-guest user of this server may be found too
     */
    public List<Found> search(String searcher, String term, int limit, boolean allLocalUsers) {
        String contains = "%" + escapeLike(term) + "%";
        String prefix = escapeLike(term) + "%";
        String sql = """
                WITH candidates AS (
                    SELECT DISTINCT ON (user_id) user_id, event_id FROM (
                        SELECT m.user_id, m.event_id
                        FROM room_memberships m
                        WHERE m.membership = 'join' AND (
                            m.room_id IN (SELECT room_id FROM room_memberships WHERE user_id = ? AND membership = 'join')
                            OR m.room_id IN (SELECT room_id FROM user_directory_public_rooms))
                        UNION ALL
                        SELECT u.user_id, NULL FROM users u
                        WHERE ? AND NOT u.deactivated AND NOT u.is_guest
                    ) found
                    ORDER BY user_id, event_id NULLS LAST
                ), named AS (
                    SELECT c.user_id,
                           CASE WHEN p.user_id IS NOT NULL THEN p.displayname
                                ELSE event_jsonb(e.json) -> 'content' ->> 'displayname' END AS name,
                           CASE WHEN p.user_id IS NOT NULL THEN p.avatar_url
                                ELSE event_jsonb(e.json) -> 'content' ->> 'avatar_url' END AS avatar
                    FROM candidates c
                    LEFT JOIN profiles p ON p.user_id = c.user_id
                    LEFT JOIN events e ON e.event_id = c.event_id
                )
                SELECT user_id, name, avatar FROM named
                WHERE user_id ILIKE ? ESCAPE '\\' OR name ILIKE ? ESCAPE '\\'
                ORDER BY (name ILIKE ? ESCAPE '\\' OR substring(user_id from 2) ILIKE ? ESCAPE '\\') DESC, user_id
                LIMIT ?""";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, searcher);
            ps.setBoolean(2, allLocalUsers);
            ps.setString(3, contains);
            ps.setString(4, contains);
            ps.setString(5, prefix);
            ps.setString(6, prefix);
            ps.setInt(7, limit);
            List<Found> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Found(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Records, in the transaction that moved them, whether rooms whose current state moved
     * (room id to its new snapshot) are now public to the directory: the directory follows each
     * change of their join rules or history visibility. One statement for a persister's batch.
     */
    public static void currentStatesMoved(Connection c, Map<String, Long> snapshotByRoom) throws SQLException {
        if (snapshotByRoom.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                WITH judged AS (
                    SELECT room_id, state_is_public(snapshot_id) AS is_public
                    FROM unnest(?::text[], ?::bigint[]) AS moved (room_id, snapshot_id)
                ), closed AS (
                    DELETE FROM user_directory_public_rooms d USING judged j
                    WHERE d.room_id = j.room_id AND NOT j.is_public
                )
                INSERT INTO user_directory_public_rooms (room_id) SELECT room_id FROM judged WHERE is_public
                ON CONFLICT DO NOTHING""")) {
            ps.setArray(1, c.createArrayOf("text", snapshotByRoom.keySet().toArray()));
            ps.setArray(2, c.createArrayOf("bigint", snapshotByRoom.values().toArray()));
            ps.executeUpdate();
        }
    }

    /** {@code term} as a literal inside a LIKE pattern. */
    private static String escapeLike(String term) {
        return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
