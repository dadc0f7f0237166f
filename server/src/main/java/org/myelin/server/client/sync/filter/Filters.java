package org.myelin.server.client.sync.filter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.filters.FilterRepository;

import java.util.Map;
import java.util.Optional;

/**
 * Users' filters (client-server API, "Filtering"): stored as the JSON they were defined with,
 * checked by binding them to {@link SyncFilter}, and resolved from /sync's {@code filter}
 * parameter, which is either a filter id or the filter itself as JSON (starting with {@code {}).
 */
public final class Filters {

    private static final int MAX_CACHED = 10_000;

    private record Key(String userId, String filterId) {
    }

    private final FilterRepository repository;
    /** Stored filters never change, so a filter id resolves once per process (long-polling clients send it each time). */
    private final Cache<Key, SyncFilter> resolved = Caffeine.newBuilder().maximumSize(MAX_CACHED).recordStats().build();
    /**
     * Inline filters by their JSON, checked and bound once: a long-polling client sends the same
     * one with every request, and binding it was 7 % of a woken /sync (SyncFanoutBench's profile).
     * Bounded by characters held.
     */
    private final Cache<String, SyncFilter> inline = Caffeine.newBuilder().recordStats()
            .maximumWeight(MAX_INLINE_CHARS).weigher((String json, SyncFilter f) -> json.length()).build();

    private static final long MAX_INLINE_CHARS = 4_000_000;

    public Filters(FilterRepository repository) {
        this.repository = repository;
    }

    /** Stores {@code definition} after checking it (400 M_BAD_JSON if it is no filter); returns its id. */
    public String create(String userId, JsonNode definition) {
        checked(definition);
        return repository.create(userId, definition.toString());
    }

    /** The definition {@code userId} stored as {@code filterId}. */
    public Optional<JsonNode> definition(String userId, String filterId) {
        return repository.get(userId, filterId).map(Filters::readTree);
    }

    /**
     * The filter a /sync {@code filter} parameter names: none (null) is {@link SyncFilter#ALL};
     * inline JSON that is not JSON is 400 M_NOT_JSON, not a filter 400 M_BAD_JSON; an unknown id
     * 400 M_INVALID_PARAM (as Synapse answers).
     */
    public SyncFilter resolve(String userId, String parameter) {
        if (parameter == null || parameter.isEmpty()) {
            return SyncFilter.ALL;
        }
        if (parameter.startsWith("{")) {
            SyncFilter known = inline.getIfPresent(parameter);
            if (known != null) {
                return known;
            }
            SyncFilter filter = inline(parameter);
            inline.put(parameter, filter);
            return filter;
        }
        Key key = new Key(userId, parameter);
        SyncFilter known = resolved.getIfPresent(key);
        if (known != null) {
            return known;
        }
        SyncFilter filter = definition(userId, parameter).map(Filters::parse)
                .orElseThrow(() -> MatrixException.invalidParam("No such filter: " + parameter));
        resolved.put(key, filter);
        return filter;
    }

    /** Inline JSON that is not JSON is 400 M_NOT_JSON, not a filter 400 M_BAD_JSON. */
    private static SyncFilter inline(String parameter) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(parameter);
        } catch (JsonProcessingException e) {
            throw MatrixException.notJson("filter is not valid JSON");
        }
        return checked(tree);
    }

    /**
     * A filter a client gives now (uploaded or inline): its JSON checked against the spec's
     * schema ({@link FilterSchema}), then bound.
     */
    public static SyncFilter checked(JsonNode definition) {
        FilterSchema.check(definition);
        return parse(definition);
    }

    /**
     * Binds a filter definition; 400 M_BAD_JSON if it is not an object of the filter's shape.
     * Stored filters are bound without {@link #checked}: one kept before the schema was checked
     * must not break the syncs that name it.
     */
    public static SyncFilter parse(JsonNode definition) {
        if (definition == null || !definition.isObject()) {
            throw MatrixException.badJson("A filter must be a JSON object");
        }
        try {
            return Json.MAPPER.treeToValue(definition, SyncFilter.class);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw MatrixException.badJson("Invalid filter: " + cause.getMessage());
        } catch (JsonProcessingException e) {
            throw MatrixException.badJson("Invalid filter: " + e.getOriginalMessage());
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored filter is not JSON", e);
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("filters", resolved, "inline_filters", inline);
    }
}
