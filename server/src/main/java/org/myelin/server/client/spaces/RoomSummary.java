package org.myelin.server.client.spaces;

import java.util.List;

/**
 * A room as a summary describes it (client-server API, "Room Summaries" and "Spaces"; the
 * {@code RoomSummary} definition, which extends {@code PublishedRoomsChunk}): what a client shows
 * of a room it may not be in. Absent values are null and left out of the JSON.
 *
 * @param joinRule       the room's join rule; null when it has no {@code m.room.join_rules}
 * @param allowedRoomIds the rooms a {@code restricted} or {@code knock_restricted} join rule
 *                       names; null otherwise
 * @param membership     the requester's membership, only in the answer of {@code /room_summary}
 */
public record RoomSummary(String roomId, String name, String topic, String canonicalAlias, int numJoinedMembers,
                          String avatarUrl, String joinRule, boolean worldReadable, boolean guestCanJoin,
                          String roomType, String roomVersion, String encryption, List<String> allowedRoomIds,
                          String membership) {

    /** The room type of spaces ({@code m.room.create}'s {@code type}). */
    public static final String SPACE = "m.space";

    public boolean isSpace() {
        return SPACE.equals(roomType);
    }

    /** This summary with the requester's membership (null: none shown). */
    public RoomSummary withMembership(String value) {
        return new RoomSummary(roomId, name, topic, canonicalAlias, numJoinedMembers, avatarUrl, joinRule,
                worldReadable, guestCanJoin, roomType, roomVersion, encryption, allowedRoomIds, value);
    }
}
