package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.AuthRuleSet;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The {@code m.room.power_levels} rule (10 in v1-v5 and v12, 9 in v6-v11): the new levels must
 * be well formed, and a sender may only change levels up to its own. Rule numbers below are
 * those of v12 (see {@link RuleNumbers}).
 */
final class PowerLevelRules {

    /** The top-level levels, in the order the spec lists them. */
    static final List<String> LEVEL_KEYS = List.of(
            "users_default", "events_default", "state_default", "ban", "redact", "kick", "invite");

    private PowerLevelRules() {
    }

    static AuthResult check(AuthContext c) {
        ObjectNode content = c.event().content();
        AuthResult shape = checkShape(content, c);
        if (!shape.isAllowed()) {
            return shape;
        }
        Pdu previous = c.state().get(StateKey.powerLevels());
        if (previous == null) {
            return AuthResult.allowed();
        }
        return checkChanges(previous.content(), content, c);
    }

    /** Rules 10.1-10.4: the levels are integers (or, before v10, strings of them), users are user ids. */
    private static AuthResult checkShape(ObjectNode content, AuthContext c) {
        AuthRuleSet rules = c.rules();
        RuleNumbers n = c.n();
        // Before v10 the spec only asks this of users; Synapse and gomatrixserverlib also fail
        // on other values that are no level, so those are refused here under the same rule.
        String levelsRule = rules.integerPowerLevels() ? n.powerLevels(1) : n.powerLevels(3);
        String mapsRule = rules.integerPowerLevels() ? n.powerLevels(2) : n.powerLevels(3);
        for (String key : LEVEL_KEYS) {
            JsonNode value = content.get(key);
            if (value != null && !PowerLevelValues.isLevel(value, rules)) {
                return AuthResult.rejected(levelsRule, key + " is " + value + ", not a power level");
            }
        }
        for (String key : List.of("events", "notifications")) {
            JsonNode map = content.get(key);
            if (map != null && !isLevelMap(map, rules)) {
                return AuthResult.rejected(mapsRule, key + " is not an object of power levels");
            }
        }
        JsonNode users = content.get("users");
        if (users != null) {
            if (!isLevelMap(users, rules)) {
                return AuthResult.rejected(n.powerLevels(3), "users is not an object of power levels");
            }
            for (Map.Entry<String, JsonNode> entry : users.properties()) {
                if (!org.myelin.protocol.id.UserId.isValid(entry.getKey())) {
                    return AuthResult.rejected(n.powerLevels(3), "users holds " + entry.getKey() + ", not a user id");
                }
            }
            for (Map.Entry<String, JsonNode> entry : users.properties()) {
                if (rules.creatorsHaveInfinitePower() && c.levels().isCreator(entry.getKey())) {
                    return AuthResult.rejected(n.powerLevels(4), "creator " + entry.getKey() + " cannot be given a level");
                }
            }
        }
        return AuthResult.allowed();
    }

    private static boolean isLevelMap(JsonNode map, AuthRuleSet rules) {
        if (!map.isObject()) {
            return false;
        }
        for (JsonNode value : map) {
            if (!PowerLevelValues.isLevel(value, rules)) {
                return false;
            }
        }
        return true;
    }

    /** Rules 10.6-10.10: what changed must lie within the sender's own level. */
    private static AuthResult checkChanges(ObjectNode before, ObjectNode after, AuthContext c) {
        RuleNumbers n = c.n();
        long senderLevel = c.senderLevel();
        for (String key : LEVEL_KEYS) {
            OptionalLong old = level(before.get(key), c);
            OptionalLong now = level(after.get(key), c);
            if (old.equals(now)) {
                continue;
            }
            if (above(old, senderLevel)) {
                return AuthResult.rejected(n.powerLevels(6, 1), key + " is " + old.getAsLong() + ", above the sender");
            }
            if (above(now, senderLevel)) {
                return AuthResult.rejected(n.powerLevels(6, 2), key + " would be " + now.getAsLong() + ", above the sender");
            }
        }
        List<String> maps = c.rules().notificationsPowerLevels() ? List.of("events", "notifications") : List.of("events");
        for (String map : maps) {
            AuthResult result = checkMapChanges(map, before.path(map), after.path(map), c, senderLevel);
            if (!result.isAllowed()) {
                return result;
            }
        }
        return checkUserChanges(before.path("users"), after.path("users"), c, senderLevel);
    }

    /** Rules 10.7 and 10.8: entries of {@code events} or {@code notifications}. */
    private static AuthResult checkMapChanges(String map, JsonNode before, JsonNode after, AuthContext c,
                                              long senderLevel) {
        for (String key : changedKeys(before, after, c)) {
            OptionalLong old = level(before.get(key), c);
            if (above(old, senderLevel)) {
                return AuthResult.rejected(c.n().powerLevels(7, 1),
                        map + "." + key + " is " + old.getAsLong() + ", above the sender");
            }
        }
        for (String key : changedKeys(before, after, c)) {
            OptionalLong now = level(after.get(key), c);
            if (above(now, senderLevel)) {
                return AuthResult.rejected(c.n().powerLevels(8, 1),
                        map + "." + key + " would be " + now.getAsLong() + ", above the sender");
            }
        }
        return AuthResult.allowed();
    }

    /** Rules 10.9 and 10.10: entries of {@code users}. */
    private static AuthResult checkUserChanges(JsonNode before, JsonNode after, AuthContext c, long senderLevel) {
        for (String user : changedKeys(before, after, c)) {
            OptionalLong old = level(before.get(user), c);
            if (!user.equals(c.sender()) && old.isPresent() && old.getAsLong() >= senderLevel) {
                return AuthResult.rejected(c.n().powerLevels(9, 1),
                        user + " has " + old.getAsLong() + ", not below the sender");
            }
        }
        for (String user : changedKeys(before, after, c)) {
            OptionalLong now = level(after.get(user), c);
            if (above(now, senderLevel)) {
                return AuthResult.rejected(c.n().powerLevels(10, 1),
                        user + " would get " + now.getAsLong() + ", above the sender");
            }
        }
        return AuthResult.allowed();
    }

    /** Keys added, changed or removed between two maps, compared as levels ("50" equals 50 before v10). */
    private static TreeSet<String> changedKeys(JsonNode before, JsonNode after, AuthContext c) {
        TreeSet<String> changed = new TreeSet<>();
        for (JsonNode side : List.of(before, after)) {
            if (side.isObject()) {
                for (Map.Entry<String, JsonNode> entry : side.properties()) {
                    if (!level(before.get(entry.getKey()), c).equals(level(after.get(entry.getKey()), c))) {
                        changed.add(entry.getKey());
                    }
                }
            }
        }
        return changed;
    }

    private static OptionalLong level(JsonNode value, AuthContext c) {
        return PowerLevelValues.parse(value == null || value instanceof MissingNode ? null : value, c.rules());
    }

    private static boolean above(OptionalLong level, long senderLevel) {
        return level.isPresent() && level.getAsLong() > senderLevel;
    }
}
