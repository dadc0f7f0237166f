package org.myelin.server.admin.rooms;

/**
 * The body of {@code DELETE /_synapse/admin/v2/rooms/{roomId}}, with Synapse's defaults filled in.
 *
 * @param requester     the admin asking
 * @param newRoomUserId the local user who makes the room the members are moved to, or null for none
 */
record ShutdownRequest(String requester, String newRoomUserId, String roomName, String message, boolean block,
                       boolean purge, boolean forcePurge) {

    static final String DEFAULT_ROOM_NAME = "Content Violation Notification";
    static final String DEFAULT_MESSAGE =
            "Sharing illegal content on this server is not permitted and rooms in violation will be blocked.";
}
