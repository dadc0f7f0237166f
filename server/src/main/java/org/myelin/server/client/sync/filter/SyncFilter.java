package org.myelin.server.client.sync.filter;

import java.util.List;

/**
 * A filter (client-server API, "Filtering"; {@code sync_filter.yaml}), as uploaded with
 * {@code POST /user/{userId}/filter} or passed inline to /sync.
 *
 * @param eventFields dotted paths of the event fields to keep; null keeps all
 * @param eventFormat {@code client} (the default) or {@code federation}
 */
public record SyncFilter(List<String> eventFields, String eventFormat, EventFilter presence, EventFilter accountData,
                         RoomFilter room) {

    /** No filter: everything, in the client format. */
    public static final SyncFilter ALL = new SyncFilter(null, null, null, null, null);

    public SyncFilter {
        if (eventFormat != null && !eventFormat.equals("client") && !eventFormat.equals("federation")) {
            throw new IllegalArgumentException("event_format must be 'client' or 'federation'");
        }
        presence = presence == null ? EventFilter.ALL : presence;
        accountData = accountData == null ? EventFilter.ALL : accountData;
        room = room == null ? RoomFilter.ALL : room;
    }

    public boolean federationFormat() {
        return "federation".equals(eventFormat);
    }
}
