package org.myelin.server.admin.rooms;

import java.util.List;

/**
 * What the admin API says of a room, read from its current state and memberships.
 *
 * @param creator         the sender of its create event
 * @param replacementRoom the room its tombstone points to, or null
 */
record RoomFacts(String roomId, String name, String topic, String avatar, String canonicalAlias,
                 List<String> joinedMembers, List<String> joinedLocalMembers, String version, String creator,
                 String encryption, boolean federatable, boolean isPublic, String joinRules, String guestAccess,
                 String historyVisibility, int stateEvents, String roomType, String replacementRoom) {
}
