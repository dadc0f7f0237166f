package org.myelin.server.client.presence;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Optional;

/** A user's presence (client-server API, "Presence"): online, unavailable (idle) or offline. */
public enum PresenceState {
    ONLINE("online"),
    UNAVAILABLE("unavailable"),
    OFFLINE("offline");

    private final String wire;

    PresenceState(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public static Optional<PresenceState> fromWire(String wire) {
        for (PresenceState s : values()) {
            if (s.wire.equals(wire)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
