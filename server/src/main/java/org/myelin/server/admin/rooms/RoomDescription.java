package org.myelin.server.admin.rooms;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A room as {@code GET /_synapse/admin/v1/rooms} lists it (Synapse's {@code room_stats_state} with
 * the member counts). Nulls are given: Synapse's clients read every key.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record RoomDescription(String roomId, String name, String canonicalAlias, int joinedMembers, int joinedLocalMembers,
                       String version, String creator, String encryption, boolean federatable,
                       @JsonProperty("public") boolean isPublic, String joinRules, String guestAccess,
                       String historyVisibility, int stateEvents, String roomType) {

    static RoomDescription of(RoomFacts f) {
        return new RoomDescription(f.roomId(), f.name(), f.canonicalAlias(), f.joinedMembers().size(),
                f.joinedLocalMembers().size(), f.version(), f.creator(), f.encryption(), f.federatable(),
                f.isPublic(), f.joinRules(), f.guestAccess(), f.historyVisibility(), f.stateEvents(), f.roomType());
    }
}
