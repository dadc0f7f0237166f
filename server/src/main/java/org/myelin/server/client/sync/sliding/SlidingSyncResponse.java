package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * The body of a sliding sync response (MSC4186), as Synapse writes it: {@code pos}, {@code lists}
 * (left out when none was asked for), {@code rooms} and {@code extensions}. Absent and null
 * values are left out, and so are the empty {@code timeline} and {@code required_state} of a room.
 */
public record SlidingSyncResponse(String pos, @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, SlidingList> lists,
                                  Map<String, RoomResult> rooms, Extensions extensions) {

    /** Whether there is something for the client; a long poll keeps waiting while there is not. */
    @JsonIgnore
    public boolean hasUpdates() {
        return !rooms.isEmpty() || extensions.hasUpdates();
    }

    /** A list: how many rooms pass its filters, and the rooms of each range in order. */
    public record SlidingList(int count, List<ListOp> ops) {
    }

    /** A {@code SYNC} operation: the rooms of one range. */
    public record ListOp(String op, List<Long> range, List<String> roomIds) {
    }

    /** A member who names an unnamed room (MSC4186): user id, and display name and avatar when set. */
    public record Hero(String userId, String displayname, String avatarUrl) {
    }

    /**
     * A room.
     *
     * @param initial   true the first time the room is sent on the connection (else left out)
     * @param numLive   how many of the timeline's events are new since the previous response
     * @param bumpStamp the position of the room's newest event of a bumping type
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RoomResult(String name, String avatar, List<Hero> heroes, Boolean initial,
                             @JsonProperty("unstable_expanded_timeline") Boolean expandedTimeline,
                             List<ObjectNode> requiredState, List<ObjectNode> timeline, Boolean limited,
                             String prevBatch, Integer numLive, Boolean isDm, List<ObjectNode> inviteState,
                             Long bumpStamp, Integer joinedCount, Integer invitedCount, int notificationCount,
                             int highlightCount) {

        /**
         * Whether an incremental response must carry the room (Synapse's {@code RoomResult.__bool__}):
         * it is new on the connection, or something about it changed; a bump stamp or counts alone do not.
         */
        boolean hasUpdates() {
            return Boolean.TRUE.equals(initial) || name != null || avatar != null || heroes != null
                    || joinedCount != null || invitedCount != null || requiredState != null || timeline != null
                    || inviteState != null;
        }
    }

    /** The extensions' answers; each null when not asked for. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Extensions(ToDevice toDevice, E2ee e2ee, AccountData accountData, RoomEvents receipts,
                             RoomEvents typing) {

        static final Extensions NONE = new Extensions(null, null, null, null, null);

        /** Whether one carries news (key counts alone do not, as in Synapse). */
        boolean hasUpdates() {
            return (toDevice != null && !toDevice.events().isEmpty())
                    || (e2ee != null && e2ee.deviceLists() != null
                        && (!e2ee.deviceLists().changed().isEmpty() || !e2ee.deviceLists().left().isEmpty()))
                    || (accountData != null && (!accountData.global().isEmpty() || !accountData.rooms().isEmpty()))
                    || (receipts != null && !receipts.rooms().isEmpty())
                    || (typing != null && !typing.rooms().isEmpty());
        }
    }

    /** The {@code to_device} extension: the next {@code since}, and the messages. */
    public record ToDevice(String nextBatch, List<ObjectNode> events) {
    }

    /**
     * The {@code e2ee} extension: the device's key counts, always, and on an incremental request
     * whose device lists changed.
     */
    public record E2ee(@JsonInclude(JsonInclude.Include.ALWAYS) Map<String, Integer> deviceOneTimeKeysCount,
                       @JsonInclude(JsonInclude.Include.ALWAYS) List<String> deviceUnusedFallbackKeyTypes,
                       DeviceLists deviceLists) {
    }

    /** Users whose devices changed, and users who no longer share a room. */
    public record DeviceLists(List<String> changed, List<String> left) {
    }

    /** The {@code account_data} extension: global entries and entries per room, as events. */
    public record AccountData(@JsonProperty("global") List<ObjectNode> global, Map<String, List<ObjectNode>> rooms) {
    }

    /** The {@code receipts} or {@code typing} extension: one ephemeral event per room. */
    public record RoomEvents(Map<String, ObjectNode> rooms) {
    }
}
