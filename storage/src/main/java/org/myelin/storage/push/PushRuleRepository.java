package org.myelin.storage.push;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Users' push rules (client-server API, "Push Rules: API"): their own rules, ordered within a
 * kind, and their changes to the server-default rules. Every change moves the user to the next
 * position of the push rules stream, so that /sync knows to send {@code m.push_rules}.
 *
 * <p>Writes for one user are serialised by a transaction-scoped advisory lock on the user, so
 * concurrent reorderings cannot interleave (also across processes).
 */
public final class PushRuleRepository {

    /**
     * One of a user's own rules.
     *
     * @param conditionsJson the conditions (a JSON array) of an override or underride rule, else null
     * @param pattern        the glob of a content rule, else null
     */
    public record StoredRule(String kind, String ruleId, boolean enabled, String conditionsJson, String pattern,
                             String actionsJson) {
    }

    /** A user's change to a server-default rule; a null field keeps the rule's own value. */
    public record DefaultChange(String kind, String ruleId, Boolean enabled, String actionsJson) {
    }

    /**
     * Where {@link #put} places a rule: next-most important to {@code before}, else next-less
     * important to {@code after}; with neither, a new rule goes first and an existing one stays.
     */
    public record Placement(String before, String after) {
        public static final Placement DEFAULT = new Placement(null, null);

        String anchor() {
            return before != null ? before : after;
        }
    }

    /** What {@link #put} did. */
    public enum PutResult { CREATED, UPDATED, ANCHOR_NOT_FOUND }

    private final DataSource dataSource;

    public PushRuleRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The user's own rules: kinds in no particular order, each kind most important first. */
    public List<StoredRule> rules(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, rule_id, enabled, conditions::text, pattern, "
                    + "actions::text FROM push_rules WHERE user_id = ? ORDER BY kind, position")) {
                ps.setString(1, userId);
                List<StoredRule> rules = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rules.add(new StoredRule(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4),
                                rs.getString(5), rs.getString(6)));
                    }
                }
                return rules;
            }
        });
    }

    public List<DefaultChange> defaultChanges(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, rule_id, enabled, actions::text "
                    + "FROM push_rule_default_changes WHERE user_id = ?")) {
                ps.setString(1, userId);
                List<DefaultChange> changes = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        boolean enabled = rs.getBoolean(3);
                        changes.add(new DefaultChange(rs.getString(1), rs.getString(2), rs.wasNull() ? null : enabled,
                                rs.getString(4)));
                    }
                }
                return changes;
            }
        });
    }

    /**
     * Adds or replaces one of the user's rules and places it. Replacing keeps the rule's enabled
     * flag; a new rule is enabled. Changes nothing when the placement's anchor is not one of the
     * user's rules of that kind.
     */
    public PutResult put(String userId, StoredRule rule, Placement placement) {
        return Transactions.inTransaction(dataSource, c -> {
            lockUser(c, userId);
            List<String> order = order(c, userId, rule.kind());
            boolean exists = order.contains(rule.ruleId());
            if (placement.anchor() != null) {
                order.remove(rule.ruleId());
                int at = order.indexOf(placement.anchor());
                if (at < 0) {
                    c.rollback();
                    return PutResult.ANCHOR_NOT_FOUND;
                }
                order.add(placement.before() != null ? at : at + 1, rule.ruleId());
            } else if (!exists) {
                order.addFirst(rule.ruleId());
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO push_rules (user_id, kind, rule_id, position, "
                    + "enabled, conditions, pattern, actions) VALUES (?, ?, ?, ?, TRUE, ?::json, ?, ?::json) "
                    + "ON CONFLICT (user_id, kind, rule_id) DO UPDATE SET conditions = EXCLUDED.conditions, "
                    + "pattern = EXCLUDED.pattern, actions = EXCLUDED.actions")) {
                ps.setString(1, userId);
                ps.setString(2, rule.kind());
                ps.setString(3, rule.ruleId());
                ps.setInt(4, order.indexOf(rule.ruleId()));
                ps.setString(5, rule.conditionsJson());
                ps.setString(6, rule.pattern());
                ps.setString(7, rule.actionsJson());
                ps.executeUpdate();
            }
            renumber(c, userId, rule.kind(), order);
            bumpStream(c, userId);
            return exists ? PutResult.UPDATED : PutResult.CREATED;
        });
    }

    /** Deletes one of the user's rules; false if there is none. */
    public boolean delete(String userId, String kind, String ruleId) {
        return changeRule(userId, "DELETE FROM push_rules WHERE user_id = ? AND kind = ? AND rule_id = ?",
                ps -> { }, 0, kind, ruleId);
    }

    /** Enables or disables one of the user's rules; false if there is none. */
    public boolean setEnabled(String userId, String kind, String ruleId, boolean enabled) {
        return changeRule(userId, "UPDATE push_rules SET enabled = ? WHERE user_id = ? AND kind = ? AND rule_id = ?",
                ps -> ps.setBoolean(1, enabled), 1, kind, ruleId);
    }

    /** Replaces the actions of one of the user's rules; false if there is none. */
    public boolean setActions(String userId, String kind, String ruleId, String actionsJson) {
        return changeRule(userId, "UPDATE push_rules SET actions = ?::json WHERE user_id = ? AND kind = ? AND rule_id = ?",
                ps -> ps.setString(1, actionsJson), 1, kind, ruleId);
    }

    /** Records the user's change to a server-default rule; a null argument keeps what was recorded. */
    public void changeDefault(String userId, String kind, String ruleId, Boolean enabled, String actionsJson) {
        Transactions.inTransaction(dataSource, c -> {
            lockUser(c, userId);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO push_rule_default_changes "
                    + "(user_id, kind, rule_id, enabled, actions) VALUES (?, ?, ?, ?, ?::json) "
                    + "ON CONFLICT (user_id, kind, rule_id) DO UPDATE SET "
                    + "enabled = COALESCE(EXCLUDED.enabled, push_rule_default_changes.enabled), "
                    + "actions = COALESCE(EXCLUDED.actions, push_rule_default_changes.actions)")) {
                ps.setString(1, userId);
                ps.setString(2, kind);
                ps.setString(3, ruleId);
                ps.setObject(4, enabled);
                ps.setString(5, actionsJson);
                ps.executeUpdate();
            }
            bumpStream(c, userId);
            return null;
        });
    }

    /** The position of the user's latest change on the push rules stream, if they made one. */
    public OptionalLong changedAt(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT stream_id FROM push_rules_changes WHERE user_id = ?")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    /** The position of the latest change of anyone's rules, 0 before any. */
    public long position() {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(stream_id), 0) FROM push_rules_changes");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Runs a statement whose {@code firstCount} first parameters are bound by {@code first}, then user, kind, rule. */
    private boolean changeRule(String userId, String sql, Binder first, int firstCount, String kind, String ruleId) {
        return Transactions.inTransaction(dataSource, c -> {
            lockUser(c, userId);
            int changed;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                first.bind(ps);
                ps.setString(firstCount + 1, userId);
                ps.setString(firstCount + 2, kind);
                ps.setString(firstCount + 3, ruleId);
                changed = ps.executeUpdate();
            }
            if (changed > 0) {
                bumpStream(c, userId); // a deletion leaves a gap in the positions; order is all they keep
            }
            return changed > 0;
        });
    }

    private static void lockUser(Connection c, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            ps.setString(1, "push_rules:" + userId);
            ps.execute();
        }
    }

    private static List<String> order(Connection c, String userId, String kind) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT rule_id FROM push_rules WHERE user_id = ? AND kind = ? ORDER BY position, rule_id")) {
            ps.setString(1, userId);
            ps.setString(2, kind);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    private static void renumber(Connection c, String userId, String kind, List<String> order) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE push_rules SET position = ? "
                + "WHERE user_id = ? AND kind = ? AND rule_id = ? AND position <> ?")) {
            for (int i = 0; i < order.size(); i++) {
                ps.setInt(1, i);
                ps.setString(2, userId);
                ps.setString(3, kind);
                ps.setString(4, order.get(i));
                ps.setInt(5, i);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bumpStream(Connection c, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO push_rules_changes (user_id, stream_id) "
                + "VALUES (?, nextval('push_rules_stream')) ON CONFLICT (user_id) DO UPDATE SET stream_id = EXCLUDED.stream_id")) {
            ps.setString(1, userId);
            ps.executeUpdate();
        }
    }
}
