package org.myelin.server.client.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The power levels a room upgrade writes (Synapse's {@code clone_existing_room} and
 * {@code _update_upgraded_room_pls}): the old room's levels, copied into the replacement room,
 * first with the upgrader raised to what copying the state and bans takes, then as they were; and
 * the old room's levels with sending and inviting restricted to moderators.
 */
final class UpgradePowerLevels {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** The level the old room's {@code events_default} and {@code invite} are raised to, at least. */
    private static final long MODERATOR = 50;

    private UpgradePowerLevels() {
    }

    /**
     * A copy of a power levels content with every level an integer: integer strings become
     * integers (as rooms before version 10 allow them), anything else that is no level is left out.
     */
    static ObjectNode fixedUp(JsonNode content) {
        ObjectNode copy = JSON.objectNode();
        if (content == null) {
            return copy;
        }
        for (Map.Entry<String, JsonNode> e : content.properties()) {
            if (e.getValue().isObject()) {
                ObjectNode levels = copy.putObject(e.getKey());
                e.getValue().properties().forEach(l -> level(l.getValue()).ifPresent(v -> levels.put(l.getKey(), v)));
            } else {
                level(e.getValue()).ifPresent(v -> copy.put(e.getKey(), v));
            }
        }
        return copy;
    }

    /**
     * {@code levels} with {@code userId} raised, if below it, to the level of the most demanding of
     * {@code state_default}, {@code ban} and the {@code events} levels: enough to send every state
     * event and ban that the replacement room is given.
     */
    static ObjectNode raisedFor(ObjectNode levels, String userId) {
        ObjectNode raised = levels.deepCopy();
        long needed = Math.max(raised.path("state_default").asLong(50), raised.path("ban").asLong(50));
        for (JsonNode level : raised.path("events")) {
            needed = Math.max(needed, level.asLong(0));
        }
        ObjectNode users = raised.get("users") instanceof ObjectNode u ? u : raised.putObject("users");
        long current = users.has(userId) ? users.get(userId).asLong() : raised.path("users_default").asLong(0);
        if (current < needed) {
            users.put(userId, needed);
        }
        return raised;
    }

    /**
     * {@code levels} without the {@code creators} in {@code users}: from room version 12 creators
     * outrank every level and may not be listed.
     */
    static ObjectNode withoutCreators(ObjectNode levels, Collection<String> creators) {
        ObjectNode copy = levels.deepCopy();
        if (copy.get("users") instanceof ObjectNode users) {
            for (Iterator<String> names = users.fieldNames(); names.hasNext(); ) {
                if (creators.contains(names.next())) {
                    names.remove();
                }
            }
        }
        return copy;
    }

    /**
     * The old room's levels with {@code events_default} and {@code invite} raised to the greater of
     * 50 and {@code users_default + 1} (client-server API, "Room Upgrades", server behaviour 6);
     * empty when both are that high already.
     */
    static Optional<ObjectNode> restricted(ObjectNode levels) {
        ObjectNode restricted = levels.deepCopy();
        long level = Math.max(restricted.path("users_default").asLong(0) + 1, MODERATOR);
        boolean changed = false;
        for (String key : new String[] {"invite", "events_default"}) {
            if (restricted.path(key).asLong(0) < level) {
                restricted.put(key, level);
                changed = true;
            }
        }
        return changed ? Optional.of(restricted) : Optional.empty();
    }

    private static Optional<Long> level(JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return Optional.of(value.longValue());
        }
        if (value.isTextual()) {
            try {
                return Optional.of(Long.parseLong(value.textValue().strip()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
