package org.myelin.protocol.push;

import org.myelin.protocol.auth.PowerLevels;

/**
 * What push rule conditions need to know beyond the event itself, as of the event.
 *
 * @param memberCount the room's joined members ({@code room_member_count})
 * @param displayName the user's display name in the room, or null ({@code contains_display_name})
 * @param permission  whether the sender may trigger a notification type
 *                    ({@code sender_notification_permission}); {@link NotificationPermission#NONE}
 *                    when the room's power levels are unknown
 */
public record PushContext(long memberCount, String displayName, NotificationPermission permission) {

    public PushContext {
        permission = permission == null ? NotificationPermission.NONE : permission;
    }

    /**
     * Whether a sender has the power to trigger notifications of a kind, such as {@code room}
     * ({@code notifications} in {@code m.room.power_levels}).
     */
    @FunctionalInterface
    public interface NotificationPermission {

        NotificationPermission NONE = (sender, key) -> false;

        boolean allows(String sender, String key);

        /** The permission the room's power levels give: the sender's level reaches the key's (50 unless set). */
        static NotificationPermission of(PowerLevels levels) {
            return (sender, key) -> levels.userLevel(sender) >= levels.notificationLevel(key);
        }
    }
}
