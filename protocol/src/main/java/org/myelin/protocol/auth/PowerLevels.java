package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.AuthRuleSet;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The power levels in force in a room: the content of its {@code m.room.power_levels} event
 * with the spec's defaults filled in (client-server API, {@code m.room.power_levels}), and the
 * room's creators from its {@code m.room.create} event.
 *
 * <p>Without a power levels event the creator has 100 and everyone else 0 (room versions 1-11).
 * From room version 12 the creators (the create event's sender and its
 * {@code additional_creators}) have {@link #INFINITE} power, with or without one.
 *
 * <p>Parsed once; every lookup is a map read. Values the room version does not accept as a
 * level (a string in v10+, garbage in any version) count as absent, so the default applies.
 */
public final class PowerLevels {

    /** The level of a creator in room version 12+: above every level a room can write. */
    public static final long INFINITE = Long.MAX_VALUE;

    private static final long CREATOR_WITHOUT_POWER_LEVELS = 100;

    private final boolean hasEvent;
    private final Set<String> creators;
    private final boolean creatorsInfinite;
    private final Map<String, Long> users;
    private final Map<String, Long> events;
    private final Map<String, Long> notifications;
    private final long usersDefault;
    private final long eventsDefault;
    private final long stateDefault;
    private final long ban;
    private final long kick;
    private final long invite;
    private final long redact;

    private PowerLevels(AuthRuleSet rules, ObjectNode content, Set<String> creators) {
        this.hasEvent = content != null;
        this.creators = creators;
        this.creatorsInfinite = rules.creatorsHaveInfinitePower();
        JsonNode c = content == null ? MissingNode.getInstance() : content;
        this.users = levels(c.get("users"), rules);
        this.events = levels(c.get("events"), rules);
        this.notifications = levels(c.get("notifications"), rules);
        this.usersDefault = level(c, "users_default", 0, rules);
        this.eventsDefault = level(c, "events_default", 0, rules);
        this.stateDefault = level(c, "state_default", 50, rules);
        this.ban = level(c, "ban", 50, rules);
        this.kick = level(c, "kick", 50, rules);
        this.invite = level(c, "invite", 0, rules);
        this.redact = level(c, "redact", 50, rules);
    }

    /**
     * The power levels set by {@code powerLevels} (null when the room has none) in the room
     * created by {@code create} (null only if unknown; then there are no creators).
     */
    public static PowerLevels of(AuthRuleSet rules, Pdu powerLevels, Pdu create) {
        return new PowerLevels(rules, powerLevels == null ? null : powerLevels.content(), creators(rules, create));
    }

    /** The power levels of a power levels content (null: none) among {@code creators}. */
    static PowerLevels ofContent(AuthRuleSet rules, ObjectNode content, Set<String> creators) {
        return new PowerLevels(rules, content, Set.copyOf(creators));
    }

    /** The power levels in force in {@code state}. */
    public static PowerLevels in(AuthState state, AuthRuleSet rules) {
        return of(rules, state.get(StateKey.powerLevels()), state.get(StateKey.create()));
    }

    /**
     * The room's creators as the room version defines them: {@code content.creator} of the
     * create event (v1-v10), its sender (v11), its sender and {@code additional_creators} (v12+).
     * Entries of {@code additional_creators} that are not strings are skipped here; rule 1.4 of
     * v12 keeps such create events out of rooms.
     */
    public static Set<String> creators(AuthRuleSet rules, Pdu create) {
        if (create == null) {
            return Set.of();
        }
        if (!rules.creatorIsCreateSender()) {
            JsonNode creator = create.content().get("creator");
            return creator != null && creator.isTextual() ? Set.of(creator.textValue()) : Set.of();
        }
        if (!rules.creatorsHaveInfinitePower()) {
            return Set.of(create.sender());
        }
        Set<String> all = new LinkedHashSet<>();
        all.add(create.sender());
        JsonNode additional = create.content().get("additional_creators");
        if (additional != null && additional.isArray()) {
            for (JsonNode user : additional) {
                if (user.isTextual()) {
                    all.add(user.textValue());
                }
            }
        }
        return Collections.unmodifiableSet(all);
    }

    /** The level of {@code userId}: {@link #INFINITE} for a v12+ creator. */
    public long userLevel(String userId) {
        if (creatorsInfinite && creators.contains(userId)) {
            return INFINITE;
        }
        if (!hasEvent) {
            return creators.contains(userId) ? CREATOR_WITHOUT_POWER_LEVELS : 0;
        }
        Long level = users.get(userId);
        return level != null ? level : usersDefault;
    }

    /** The level needed to send an event of {@code type}: {@code events}, else the state or events default. */
    public long eventLevel(String type, boolean isState) {
        Long level = events.get(type);
        if (level != null) {
            return level;
        }
        return isState ? stateDefault : eventsDefault;
    }

    /** The level needed to trigger the notification {@code key} (such as {@code room}); 50 unless set. */
    public long notificationLevel(String key) {
        return notifications.getOrDefault(key, 50L);
    }

    /** Whether {@code userId} is a creator of the room (see {@link #creators(AuthRuleSet, Pdu)}). */
    public boolean isCreator(String userId) {
        return creators.contains(userId);
    }

    /** Whether the room has an {@code m.room.power_levels} event. */
    public boolean hasPowerLevelsEvent() {
        return hasEvent;
    }

    public long ban() {
        return ban;
    }

    public long kick() {
        return kick;
    }

    public long invite() {
        return invite;
    }

    public long redact() {
        return redact;
    }

    public long usersDefault() {
        return usersDefault;
    }

    public long eventsDefault() {
        return eventsDefault;
    }

    public long stateDefault() {
        return stateDefault;
    }

    private static long level(JsonNode content, String key, long fallback, AuthRuleSet rules) {
        OptionalLong value = PowerLevelValues.parse(content.get(key), rules);
        return value.isPresent() ? value.getAsLong() : fallback;
    }

    private static Map<String, Long> levels(JsonNode map, AuthRuleSet rules) {
        if (map == null || !map.isObject() || map.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> levels = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : map.properties()) {
            OptionalLong value = PowerLevelValues.parse(entry.getValue(), rules);
            if (value.isPresent()) {
                levels.put(entry.getKey(), value.getAsLong());
            }
        }
        return levels;
    }
}
