package org.myelin.storage.profiles;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Local users' global profiles (client-server API, "Profiles"): display name, avatar URL and
 * the other profile fields. A user has a row from registration on.
 */
public final class ProfileRepository {

    /**
     * One user's profile as stored.
     *
     * @param extraFieldsJson the fields other than {@code displayname} and {@code avatar_url},
     *                        as a JSON object
     */
    public record StoredProfile(String userId, String displayname, String avatarUrl, String extraFieldsJson) {
    }

    private final DataSource dataSource;

    public ProfileRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the profile of a new user; false (and no change) if there is one already. */
    public boolean createIfMissing(String userId, String displayname) {
        return update("INSERT INTO profiles (user_id, displayname) VALUES (?, ?) ON CONFLICT DO NOTHING",
                userId, displayname);
    }

    public Optional<StoredProfile> find(String userId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, displayname, avatar_url, extra_fields::text FROM profiles WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new StoredProfile(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Sets (null: removes) the display name; false if the user has no profile. */
    public boolean setDisplayname(String userId, String displayname) {
        return update("UPDATE profiles SET displayname = ? WHERE user_id = ?", displayname, userId);
    }

    /** Sets (null: removes) the avatar URL; false if the user has no profile. */
    public boolean setAvatarUrl(String userId, String avatarUrl) {
        return update("UPDATE profiles SET avatar_url = ? WHERE user_id = ?", avatarUrl, userId);
    }

    /** Sets another field to a JSON value; false if the user has no profile. */
    public boolean setExtraField(String userId, String key, String valueJson) {
        return update("UPDATE profiles SET extra_fields = extra_fields || jsonb_build_object(?::text, ?::jsonb) "
                + "WHERE user_id = ?", key, valueJson, userId);
    }

    /** Removes another field; false if the user has no profile. */
    public boolean removeExtraField(String userId, String key) {
        return update("UPDATE profiles SET extra_fields = extra_fields - ?::text WHERE user_id = ?", key, userId);
    }

    private boolean update(String sql, String... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
