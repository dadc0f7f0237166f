package org.myelin.server.client.directory;

import java.util.List;

/** A page of a published room directory ({@code PublicRoomsResponse} of the spec). */
public record PublicRoomsResponse(List<PublicRoom> chunk, String nextBatch, String prevBatch,
                                  Integer totalRoomCountEstimate) {

    /** One published room ({@code PublishedRoomsChunk}). */
    public record PublicRoom(String roomId, String name, String topic, String canonicalAlias,
                             int numJoinedMembers, boolean worldReadable, boolean guestCanJoin,
                             String joinRule, String roomType, String avatarUrl) {
    }
}
