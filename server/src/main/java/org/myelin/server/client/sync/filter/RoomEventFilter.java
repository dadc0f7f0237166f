package org.myelin.server.client.sync.filter;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;

import java.util.List;

/**
 * A {@code RoomEventFilter} (client-server API, "Filtering"; {@code room_event_filter.yaml}): which
 * room events to include, and for state, whether to lazy-load members. Absent lists do not
 * restrict; a {@code not_} list wins over its positive twin; types may use {@code *}.
 *
 * @param containsUrl true: only events whose content has a {@code url}; false: only those without
 */
public record RoomEventFilter(Integer limit, List<String> types, List<String> notTypes, List<String> senders,
                              List<String> notSenders, List<String> rooms, List<String> notRooms,
                              Boolean containsUrl, Boolean lazyLoadMembers, Boolean includeRedundantMembers,
                              Boolean unreadThreadNotifications) {

    /** The filter that lets everything through. */
    public static final RoomEventFilter ALL =
            new RoomEventFilter(null, null, null, null, null, null, null, null, null, null, null);

    public RoomEventFilter {
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
    }

    /** Whether events of {@code roomId} may pass at all. */
    public boolean allowsRoom(String roomId) {
        return Matching.allows(rooms, notRooms, roomId);
    }

    /** Whether {@code event} passes (its room, type, sender and url). */
    public boolean allows(Pdu event) {
        return allows(event.roomId(), event.type(), event.sender(), event.content());
    }

    /** Whether an event with these properties passes ({@code content} may be null when unknown). */
    public boolean allows(String roomId, String type, String sender, JsonNode content) {
        if (!allowsRoom(roomId) || !TypePatterns.allows(types, notTypes, type)
                || !Matching.allows(senders, notSenders, sender)) {
            return false;
        }
        if (containsUrl != null && content != null) {
            return containsUrl == content.path("url").isTextual();
        }
        return true;
    }

    public boolean lazyLoadsMembers() {
        return Boolean.TRUE.equals(lazyLoadMembers);
    }

    public boolean includesRedundantMembers() {
        return Boolean.TRUE.equals(includeRedundantMembers);
    }

    /** The limit, or {@code fallback} when none is set. */
    public int limitOr(int fallback) {
        return limit == null ? fallback : limit;
    }
}
