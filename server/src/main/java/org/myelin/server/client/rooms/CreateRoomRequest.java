package org.myelin.server.client.rooms;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.id.UserId;
import org.myelin.server.http.MatrixException;

import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /_matrix/client/v3/createRoom} (client-server API, "Room creation").
 * Unknown presets and visibilities are 400 M_BAD_JSON, invalid invitees 400 M_INVALID_PARAM.
 */
public record CreateRoomRequest(String visibility, String roomAliasName, String name, String topic,
                                List<String> invite, @JsonProperty("invite_3pid") List<JsonNode> invite3pid,
                                String roomVersion, ObjectNode creationContent, List<InitialState> initialState,
                                String preset, Boolean isDirect, ObjectNode powerLevelContentOverride) {

    static final Set<String> PRESETS = Set.of("private_chat", "public_chat", "trusted_private_chat");

    /** One entry of {@code initial_state}. */
    public record InitialState(String type, String stateKey, ObjectNode content) {
        public InitialState {
            if (type == null) {
                throw MatrixException.badJson("initial_state entries need a type");
            }
            if (content == null) {
                throw MatrixException.badJson("initial_state entries need a content object");
            }
            stateKey = stateKey == null ? "" : stateKey;
        }
    }

    public CreateRoomRequest {
        if (visibility != null && !visibility.equals("public") && !visibility.equals("private")) {
            throw MatrixException.badJson("Invalid visibility: " + visibility);
        }
        if (preset != null && !PRESETS.contains(preset)) {
            throw MatrixException.badJson("'" + preset + "' is not a valid preset");
        }
        invite = invite == null ? List.of() : List.copyOf(invite);
        for (String user : invite) {
            if (!UserId.isValid(user)) {
                throw MatrixException.invalidParam("Invalid user id in invite: " + user);
            }
        }
        initialState = initialState == null ? List.of() : List.copyOf(initialState);
    }

    /** The preset to apply: the one given, else {@code public_chat} for a public room, else {@code private_chat}. */
    public String effectivePreset() {
        if (preset != null) {
            return preset;
        }
        return "public".equals(visibility) ? "public_chat" : "private_chat";
    }

    public boolean isPublic() {
        return "public".equals(visibility);
    }

    public boolean direct() {
        return Boolean.TRUE.equals(isDirect);
    }
}
