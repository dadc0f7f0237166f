package org.myelin.protocol.stateres;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.AuthRuleSet;

import java.util.Map;

/**
 * The power level of a user as the authorisation rules define it, read from a power levels and a
 * create event: the user's entry in {@code users}, else {@code users_default} (0 if absent);
 * without a power levels event, 100 for the room creator and 0 for everyone else; from room
 * version 12 on, infinite for the room creators (the create event's sender and its
 * {@code additional_creators}).
 *
 * <p>Levels may be strings or floats before room version 10 (v1 "m.room.power_levels events
 * accept values as strings" and "as floats"); they are read as the integers they stand for.
 */
final class SenderPower implements PowerLevelLookup {

    static final SenderPower INSTANCE = new SenderPower();

    private static final long CREATOR_WITHOUT_POWER_LEVELS = 100;

    private SenderPower() {
    }

    @Override
    public long senderLevel(Pdu event, Map<StateKey, Pdu> authEvents) {
        return userLevel(event.sender(), authEvents.get(StateKey.powerLevels()), authEvents.get(StateKey.create()),
                event.roomVersion().auth());
    }

    /** The level of {@code userId} given a power levels and a create event, either possibly null. */
    static long userLevel(String userId, Pdu powerLevels, Pdu create, AuthRuleSet rules) {
        if (create != null && rules.creatorsHaveInfinitePower() && isCreator(create, userId)) {
            return INFINITE;
        }
        if (powerLevels != null) {
            Long level = asLevel(powerLevels.content().path("users").get(userId));
            if (level != null) {
                return level;
            }
            Long usersDefault = asLevel(powerLevels.content().get("users_default"));
            return usersDefault != null ? usersDefault : 0;
        }
        if (create != null && userId.equals(creator(create, rules))) {
            return CREATOR_WITHOUT_POWER_LEVELS;
        }
        return 0;
    }

    /** The room creator before room version 12: {@code content.creator}, or the sender from v11. */
    private static String creator(Pdu create, AuthRuleSet rules) {
        if (rules.creatorIsCreateSender()) {
            return create.sender();
        }
        JsonNode creator = create.content().get("creator");
        return creator != null && creator.isTextual() ? creator.textValue() : null;
    }

    /** Room version 12: the sender of the create event or one of its {@code additional_creators}. */
    static boolean isCreator(Pdu create, String userId) {
        if (create.sender().equals(userId)) {
            return true;
        }
        for (JsonNode additional : create.content().path("additional_creators")) {
            if (additional.isTextual() && additional.textValue().equals(userId)) {
                return true;
            }
        }
        return false;
    }

    /** A power level value as an integer: an integer, a float truncated, or an integer string; else null. */
    static Long asLevel(JsonNode value) {
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isFloatingPointNumber() && Double.isFinite(value.doubleValue())) {
            return (long) value.doubleValue();
        }
        if (value.isTextual()) {
            String text = value.textValue().strip();
            if (text.matches("[+-]?[0-9]{1,18}")) {
                return Long.parseLong(text);
            }
        }
        return null;
    }
}
