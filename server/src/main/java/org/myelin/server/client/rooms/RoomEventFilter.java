package org.myelin.server.client.rooms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.events.TimelineFilter;

import java.util.List;

/**
 * The parts of a {@code RoomEventFilter} (client-server API, "Filtering") that room timelines
 * honour: event types and senders (with {@code not_} lists and {@code *} wildcards in types),
 * {@code limit} and {@code lazy_load_members}. Given as the URL-encoded JSON {@code filter}
 * parameter of {@code /messages} and {@code /context}.
 */
public record RoomEventFilter(Integer limit, List<String> types, List<String> notTypes, List<String> senders,
                              List<String> notSenders, Boolean lazyLoadMembers) {

    public static final RoomEventFilter NONE = new RoomEventFilter(null, null, null, null, null, null);

    /** Parses the {@code filter} parameter; null or empty is no filter. */
    public static RoomEventFilter parse(String json) {
        if (json == null || json.isBlank()) {
            return NONE;
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw MatrixException.notJson("filter is not JSON: " + e.getOriginalMessage());
        }
        if (!tree.isObject()) {
            throw MatrixException.badJson("filter must be a JSON object");
        }
        try {
            return Json.MAPPER.treeToValue(tree, RoomEventFilter.class);
        } catch (JsonProcessingException e) {
            throw MatrixException.badJson("Invalid filter: " + e.getOriginalMessage());
        }
    }

    /** The type and sender conditions, for the timeline queries. */
    public TimelineFilter timeline() {
        return new TimelineFilter(types, notTypes, senders, notSenders);
    }

    public boolean lazyLoads() {
        return Boolean.TRUE.equals(lazyLoadMembers);
    }
}
