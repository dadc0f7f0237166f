package org.myelin.server.client.search;

import org.myelin.storage.events.TimelineFilter;

import java.util.List;

/**
 * The {@code filter} of a search (a {@code RoomEventFilter}, client-server API, "Filtering"):
 * the rooms to search and the event types and senders to keep, and how many results a page holds.
 */
public record SearchFilter(Integer limit, List<String> rooms, List<String> notRooms, List<String> types,
                           List<String> notTypes, List<String> senders, List<String> notSenders) {

    public static final SearchFilter NONE = new SearchFilter(null, null, null, null, null, null, null);
    /** Results a page holds unless the filter says (Synapse's default). */
    static final int DEFAULT_LIMIT = 10;
    /** Most results one page holds, whatever the filter says. */
    static final int MAX_LIMIT = 100;

    int effectiveLimit() {
        return limit == null ? DEFAULT_LIMIT : Math.clamp(limit, 1, MAX_LIMIT);
    }

    TimelineFilter timeline() {
        return new TimelineFilter(types, notTypes, senders, notSenders);
    }
}
