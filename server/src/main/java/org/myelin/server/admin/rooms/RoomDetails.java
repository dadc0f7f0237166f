package org.myelin.server.admin.rooms;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /_synapse/admin/v1/rooms/{roomId}}: the listed fields and more (Synapse's "Room Details API"). */
@JsonInclude(JsonInclude.Include.ALWAYS)
record RoomDetails(String roomId, String name, String topic, String avatar, String canonicalAlias, int joinedMembers,
                   int joinedLocalMembers, int joinedLocalDevices, String version, String creator, String encryption,
                   boolean federatable, @JsonProperty("public") boolean isPublic, String joinRules, String guestAccess,
                   String historyVisibility, int stateEvents, String roomType, boolean forgotten, boolean tombstoned,
                   String replacementRoom) {

    static RoomDetails of(RoomFacts f, int joinedLocalDevices, boolean forgotten) {
        return new RoomDetails(f.roomId(), f.name(), f.topic(), f.avatar(), f.canonicalAlias(),
                f.joinedMembers().size(), f.joinedLocalMembers().size(), joinedLocalDevices, f.version(), f.creator(),
                f.encryption(), f.federatable(), f.isPublic(), f.joinRules(), f.guestAccess(), f.historyVisibility(),
                f.stateEvents(), f.roomType(), forgotten, f.replacementRoom() != null, f.replacementRoom());
    }
}
