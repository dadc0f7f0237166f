package org.myelin.server.client.sync;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * The body of a /sync response ({@code sync.yaml}). Empty sections are still sent, as Synapse
 * does, except where noted; null values are left out (the mapper's default).
 */
@JsonSerialize(using = SyncResponseSerializer.class) // by hand: written once per woken member per message
public record SyncResponse(String nextBatch, Rooms rooms, EventBatch presence, EventBatch accountData,
                           EventBatch toDevice, DeviceLists deviceLists,
                           Map<String, Integer> deviceOneTimeKeysCount,
                           List<String> deviceUnusedFallbackKeyTypes) {

    /** Whether there is nothing for the client: a long poll keeps waiting. */
    @JsonIgnore
    public boolean isEmpty() {
        return rooms.isEmpty() && presence.events().isEmpty() && accountData.events().isEmpty()
                && toDevice.events().isEmpty() && deviceLists.changed().isEmpty() && deviceLists.left().isEmpty();
    }

    /** A list of events. */
    public record EventBatch(List<ObjectNode> events) {
        public static final EventBatch EMPTY = new EventBatch(List.of());
    }

    /** Rooms by section, each keyed by room id. */
    public record Rooms(Map<String, JoinedRoom> join, Map<String, InvitedRoom> invite, Map<String, LeftRoom> leave,
                        Map<String, KnockedRoom> knock) {
        boolean isEmpty() {
            return join.isEmpty() && invite.isEmpty() && leave.isEmpty() && knock.isEmpty();
        }
    }

    /**
     * A room the user is in. {@code summary} is left out when unchanged; of {@code state} and
     * {@code state_after} only the one the request asked for is sent.
     *
     * @param unreadThreadNotifications the counts of each thread that has any, by root id, when the
     *                                  filter asked for them ({@code unreadNotifications} are then
     *                                  the main timeline's); left out when empty
     */
    public record JoinedRoom(RoomSummary summary, EventBatch state, EventBatch stateAfter, Timeline timeline,
                             EventBatch ephemeral, EventBatch accountData, UnreadCounts unreadNotifications,
                             Map<String, UnreadCounts> unreadThreadNotifications) {
    }

    /** A room the user is invited to: stripped state, the invite last. */
    public record InvitedRoom(EventBatch inviteState) {
    }

    /** A room the user knocked on: stripped state, the knock last. */
    public record KnockedRoom(EventBatch knockState) {
    }

    /** A room the user left or was removed from: its timeline up to that point ({@code state} or {@code state_after}). */
    public record LeftRoom(EventBatch state, EventBatch stateAfter, Timeline timeline, EventBatch accountData) {
    }

    /**
     * A timeline window.
     *
     * @param limited   whether events between the previous sync and this window were left out
     * @param prevBatch where {@code /messages} continues backwards
     */
    public record Timeline(List<ObjectNode> events, boolean limited, String prevBatch) {
    }

    /** The room summary ({@code m.heroes} only when the room has neither name nor canonical alias). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RoomSummary(@JsonProperty("m.heroes") List<String> heroes,
                              @JsonProperty("m.joined_member_count") int joinedMemberCount,
                              @JsonProperty("m.invited_member_count") int invitedMemberCount) {
    }

    /** Unread notification counts of a room. */
    public record UnreadCounts(int highlightCount, int notificationCount) {
        public static final UnreadCounts NONE = new UnreadCounts(0, 0);
    }

    /** Users whose devices changed ({@code changed}) or who no longer share a room ({@code left}). */
    public record DeviceLists(List<String> changed, List<String> left) {
        public static final DeviceLists NONE = new DeviceLists(List.of(), List.of());
    }
}
