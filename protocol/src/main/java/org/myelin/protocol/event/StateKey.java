package org.myelin.protocol.event;

import java.util.Objects;

/** The key of an entry in room state: an event type and a state key. */
public record StateKey(String type, String stateKey) implements Comparable<StateKey> {

    public static final String CREATE = "m.room.create";
    public static final String POWER_LEVELS = "m.room.power_levels";
    public static final String JOIN_RULES = "m.room.join_rules";
    public static final String MEMBER = "m.room.member";
    public static final String THIRD_PARTY_INVITE = "m.room.third_party_invite";

    public StateKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(stateKey, "stateKey");
    }

    public static StateKey of(String type, String stateKey) {
        return new StateKey(type, stateKey);
    }

    /** The key of {@code user}'s membership. */
    public static StateKey member(String userId) {
        return new StateKey(MEMBER, userId);
    }

    public static StateKey create() {
        return new StateKey(CREATE, "");
    }

    public static StateKey powerLevels() {
        return new StateKey(POWER_LEVELS, "");
    }

    public static StateKey joinRules() {
        return new StateKey(JOIN_RULES, "");
    }

    @Override
    public int compareTo(StateKey o) {
        int c = type.compareTo(o.type);
        return c != 0 ? c : stateKey.compareTo(o.stateKey);
    }
}
