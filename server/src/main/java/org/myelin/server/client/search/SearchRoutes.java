package org.myelin.server.client.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Routes;
import org.myelin.storage.search.EventSearchRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /_matrix/client/v3/search} (client-server API, "Server Side Search"): the
 * {@code room_events} category, the only one the spec defines; {@code next_batch} pages on.
 * Not supported: {@code groupings} and {@code include_state}, which are ignored.
 */
public final class SearchRoutes implements Routes {

    /** Events around each result unless {@code event_context} says (the spec's defaults). */
    static final int DEFAULT_CONTEXT = 5;
    static final int MAX_CONTEXT = 100;

    record Categories(RoomSearch.RoomEvents roomEvents) {}

    record Response(Categories searchCategories) {}

    private final Authenticator authenticator;
    private final RoomSearch search;

    public SearchRoutes(Authenticator authenticator, RoomSearch search) {
        this.authenticator = authenticator;
        this.search = search;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/search").handler(handlers.blocking(this::search));
    }

    JsonResponse search(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        JsonNode body = Json.bind(ctx, JsonNode.class);
        if (!body.isObject()) {
            throw MatrixException.badJson("The body must be a JSON object");
        }
        JsonNode categories = body.get("search_categories");
        if (categories == null) {
            throw MatrixException.missingParam("Missing 'search_categories'");
        }
        if (!categories.isObject()) {
            throw MatrixException.badJson("'search_categories' must be an object");
        }
        JsonNode roomEvents = categories.get("room_events");
        if (roomEvents == null) {
            return JsonResponse.ok(Map.of("search_categories", Map.of()));
        }
        RoomSearch.Query query = query(roomEvents, Params.query(ctx, "next_batch"));
        return JsonResponse.ok(new Response(new Categories(search.search(requester, query))));
    }

    private static RoomSearch.Query query(JsonNode roomEvents, String nextBatch) {
        if (!roomEvents.isObject()) {
            throw MatrixException.badJson("'room_events' must be an object");
        }
        JsonNode term = roomEvents.get("search_term");
        if (term == null) {
            throw MatrixException.missingParam("Missing 'search_term'");
        }
        if (!term.isTextual() || term.textValue().isBlank()) {
            throw MatrixException.invalidParam("'search_term' must be a non-empty string");
        }
        List<EventSearchRepository.Key> keys = new ArrayList<>();
        JsonNode keysNode = roomEvents.get("keys");
        if (keysNode == null) {
            keys.addAll(List.of(EventSearchRepository.Key.values()));
        } else {
            if (!keysNode.isArray()) {
                throw MatrixException.badJson("'keys' must be an array");
            }
            for (JsonNode k : keysNode) {
                keys.add(EventSearchRepository.Key.of(k.asText()).orElseThrow(() -> MatrixException.invalidParam(
                        "Unknown key " + k + "; known: content.body, content.name, content.topic")));
            }
        }
        String orderBy = roomEvents.path("order_by").asText("rank");
        if (!orderBy.equals("rank") && !orderBy.equals("recent")) {
            throw MatrixException.invalidParam("'order_by' must be 'rank' or 'recent'");
        }
        SearchFilter filter = SearchFilter.NONE;
        JsonNode filterNode = roomEvents.get("filter");
        if (filterNode != null && !filterNode.isNull()) {
            try {
                filter = Json.MAPPER.treeToValue(filterNode, SearchFilter.class);
            } catch (JsonProcessingException e) {
                throw MatrixException.badJson("Invalid filter: " + e.getOriginalMessage());
            }
        }
        RoomSearch.EventContext context = null;
        JsonNode contextNode = roomEvents.get("event_context");
        if (contextNode != null && !contextNode.isNull()) {
            if (!contextNode.isObject()) {
                throw MatrixException.badJson("'event_context' must be an object");
            }
            context = new RoomSearch.EventContext(count(contextNode, "before_limit"), count(contextNode, "after_limit"),
                    contextNode.path("include_profile").asBoolean(false));
        }
        int offset = nextBatch == null ? 0 : offset(nextBatch);
        return new RoomSearch.Query(term.textValue(), keys, filter, orderBy.equals("recent"), context, offset);
    }

    /** A {@code next_batch} token: the number of results already returned. */
    private static int offset(String nextBatch) {
        if (nextBatch.matches("\\d{1,9}")) {
            return Integer.parseInt(nextBatch);
        }
        throw MatrixException.invalidParam("Invalid next_batch " + nextBatch);
    }

    private static int count(JsonNode context, String field) {
        JsonNode n = context.get(field);
        if (n == null || n.isNull()) {
            return DEFAULT_CONTEXT;
        }
        if (!n.isIntegralNumber() || n.intValue() < 0) {
            throw MatrixException.invalidParam("'" + field + "' must be a non-negative integer");
        }
        return Math.min(n.intValue(), MAX_CONTEXT);
    }
}
