package org.myelin.protocol.push;

import java.util.Optional;

/**
 * The kinds of push rule, in the order they are checked (client-server API, "Push Rules"):
 * override, content, room, sender, underride.
 */
public enum RuleKind {
    OVERRIDE("override"),
    CONTENT("content"),
    ROOM("room"),
    SENDER("sender"),
    UNDERRIDE("underride");

    private final String wire;

    RuleKind(String wire) {
        this.wire = wire;
    }

    /** The name in URLs and rule sets, such as {@code override}. */
    public String wire() {
        return wire;
    }

    /** Whether rules of this kind carry a list of conditions (override and underride do). */
    public boolean hasConditions() {
        return this == OVERRIDE || this == UNDERRIDE;
    }

    /** The kind named {@code wire}, if there is one. */
    public static Optional<RuleKind> fromWire(String wire) {
        for (RuleKind k : values()) {
            if (k.wire.equals(wire)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
