package org.myelin.storage.accounts;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Local accounts as admins read and change them (Synapse's admin API, "User Admin API"): the flags
 * clients cannot set themselves (admin, user type, locked, suspended, shadow-banned, erased) and
 * the paginated, filtered list of accounts.
 */
public final class AdminUserRepository {

    /** The orders of {@code GET /_synapse/admin/v2/users}, each with its column; ties go by user id. */
    public enum Order {
        NAME("u.user_id"), IS_GUEST("u.is_guest"), ADMIN("u.is_admin"), USER_TYPE("u.user_type"),
        DEACTIVATED("u.deactivated"), SHADOW_BANNED("u.shadow_banned"), DISPLAYNAME("p.displayname"),
        AVATAR_URL("p.avatar_url"), CREATION_TS("u.created_ts"), LAST_SEEN_TS("last_seen_ts"), LOCKED("u.locked");

        private final String column;

        Order(String column) {
            this.column = column;
        }
    }

    /**
     * Which accounts to list. A null flag filter does not filter on that flag.
     *
     * @param userIdContains accounts whose user id contains this (ignored when {@code name} is given)
     * @param name           accounts whose localpart or display name contains this, case-insensitively
     * @param guests         false: no guests
     * @param deactivated    true: only deactivated accounts; false: none
     * @param admins         true: only admins; false: no admins
     * @param locked         false: no locked accounts
     */
    public record Query(long from, int limit, String userIdContains, String name, boolean guests, Boolean deactivated,
                        Boolean admins, boolean locked, Order order, boolean backwards) {
    }

    /** One page of accounts, and how many accounts the query matches in all. */
    public record Page(List<AdminUser> users, long total) {
    }

    private static final String COLUMNS = "u.user_id, u.is_guest, u.is_admin, u.user_type, u.deactivated, u.erased, "
            + "u.shadow_banned, u.locked, u.suspended, p.displayname, p.avatar_url, u.created_ts, "
            + "(SELECT MAX(d.last_seen_ts) FROM devices d WHERE d.user_id = u.user_id) AS last_seen_ts";
    private static final String FROM = " FROM users u LEFT JOIN profiles p ON p.user_id = u.user_id";

    private final DataSource dataSource;
    private final TokensRevoked revoked;

    /** @param revoked told when an account's tokens must be looked up again (it was locked or unlocked) */
    public AdminUserRepository(DataSource dataSource, TokensRevoked revoked) {
        this.dataSource = dataSource;
        this.revoked = revoked;
    }

    public Optional<AdminUser> find(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + " WHERE u.user_id = ?")) {
                ps.setString(1, userId);
                List<AdminUser> found = read(ps);
                return found.stream().findFirst();
            }
        });
    }

    /** A page of accounts as {@code query} asks, with the total they come from. */
    public Page list(Query query) {
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (query.name() != null) {
            where.add("(u.user_id LIKE ? OR LOWER(p.displayname) LIKE ?)");
            String lower = escape(query.name().toLowerCase(java.util.Locale.ROOT));
            args.add("@%" + lower + "%:%");
            args.add("%" + lower + "%");
        } else if (query.userIdContains() != null) {
            where.add("u.user_id LIKE ?");
            args.add("%" + escape(query.userIdContains()) + "%");
        }
        if (!query.guests()) {
            where.add("NOT u.is_guest");
        }
        if (query.deactivated() != null) {
            where.add(query.deactivated() ? "u.deactivated" : "NOT u.deactivated");
        }
        if (query.admins() != null) {
            where.add(query.admins() ? "u.is_admin" : "NOT u.is_admin");
        }
        if (!query.locked()) {
            where.add("NOT u.locked");
        }
        String filter = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
        String direction = query.backwards() ? " DESC" : " ASC";
        String nulls = query.backwards() ? " NULLS FIRST" : " NULLS LAST";
        String order = " ORDER BY " + query.order().column + direction + nulls + ", u.user_id ASC";
        return Transactions.withConnection(dataSource, c -> {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*)" + FROM + filter)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + filter + order
                    + " LIMIT ? OFFSET ?")) {
                bind(ps, args);
                ps.setInt(args.size() + 1, query.limit());
                ps.setLong(args.size() + 2, query.from());
                return new Page(read(ps), total);
            }
        });
    }

    public void setAdmin(String userId, boolean admin) {
        update("UPDATE users SET is_admin = ? WHERE user_id = ?", admin, userId);
    }

    public void setUserType(String userId, String userType) {
        update("UPDATE users SET user_type = ? WHERE user_id = ?", userType, userId);
    }

    /** Locks or unlocks the account: its tokens are looked up again, so the change applies at once. */
    public void setLocked(String userId, boolean locked) {
        update("UPDATE users SET locked = ? WHERE user_id = ?", locked, userId);
        revoked.revoked(userId);
    }

    public void setSuspended(String userId, boolean suspended) {
        update("UPDATE users SET suspended = ? WHERE user_id = ?", suspended, userId);
    }

    public void setShadowBanned(String userId, boolean shadowBanned) {
        update("UPDATE users SET shadow_banned = ? WHERE user_id = ?", shadowBanned, userId);
    }

    public void setErased(String userId, boolean erased) {
        update("UPDATE users SET erased = ? WHERE user_id = ?", erased, userId);
    }

    /** Reactivates a deactivated account (without a password until one is set). */
    public void reactivate(String userId) {
        update("UPDATE users SET deactivated = FALSE, erased = FALSE WHERE user_id = ?", userId);
    }

    private void update(String sql, Object... args) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, java.util.Arrays.asList(args));
                return ps.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement ps, List<?> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            if (arg == null) {
                ps.setNull(i + 1, java.sql.Types.VARCHAR);
            } else {
                ps.setObject(i + 1, arg);
            }
        }
    }

    /** LIKE's wildcards in a user's search term are literal characters. */
    private static String escape(String term) {
        return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static List<AdminUser> read(PreparedStatement ps) throws SQLException {
        List<AdminUser> users = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long seen = rs.getLong(13);
                Long lastSeen = rs.wasNull() ? null : seen;
                users.add(new AdminUser(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getString(4),
                        rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8), rs.getBoolean(9),
                        rs.getString(10), rs.getString(11), rs.getLong(12), lastSeen));
            }
        }
        return users;
    }
}
