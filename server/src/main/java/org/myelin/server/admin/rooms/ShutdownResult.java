package org.myelin.server.admin.rooms;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What shutting a room down did (Synapse's {@code shutdown_room}): the local users moved out (and
 * into the new room if one was made), those that could not be, the local aliases moved to the new
 * room, and the new room's id (null if none was made).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record ShutdownResult(List<String> kickedUsers, List<String> failedToKickUsers, List<String> localAliases,
                      String newRoomId) {

    static final ShutdownResult NONE = new ShutdownResult(List.of(), List.of(), List.of(), null);

    ShutdownResult {
        kickedUsers = List.copyOf(kickedUsers);
        failedToKickUsers = List.copyOf(failedToKickUsers);
        localAliases = List.copyOf(localAliases);
    }
}
