package org.myelin.server.client.sync.filter;

import java.util.List;

/**
 * An {@code EventFilter} (client-server API, "Filtering"; {@code event_filter.yaml}): which
 * presence or account data events to include. A type pattern may use {@code *} for any sequence
 * of characters. Absent lists do not restrict; a {@code not_} list wins over its positive twin.
 */
public record EventFilter(Integer limit, List<String> types, List<String> notTypes, List<String> senders,
                          List<String> notSenders) {

    /** The filter that lets everything through. */
    public static final EventFilter ALL = new EventFilter(null, null, null, null, null);

    public EventFilter {
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
    }

    /** Whether an event of {@code type} from {@code sender} (null if it has none) passes. */
    public boolean allows(String type, String sender) {
        return TypePatterns.allows(types, notTypes, type) && Matching.allows(senders, notSenders, sender);
    }
}
