package org.myelin.protocol.push;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A dot-separated path to a property of an event, such as {@code content.m\.relates_to.rel_type}
 * (appendices, "Dot-separated property paths"): a literal dot or backslash in a property name is
 * escaped with a backslash; any other escape is kept as it is (a backslash followed by the
 * character).
 *
 * @param segments the property names, outermost first
 */
public record PropertyPath(List<String> segments) {

    /** Bounds {@link #of}'s memory against a user with pathological rules; real rule sets use a handful of keys. */
    private static final int CACHE_LIMIT = 10_000;
    private static final Map<String, PropertyPath> PARSED = new ConcurrentHashMap<>();

    public PropertyPath {
        segments = List.copyOf(segments);
    }

    /**
     * {@link #parse}, remembered: push rules name the same few paths for every event they are
     * evaluated against, and parsing each time was a visible share of /sync's CPU.
     */
    public static PropertyPath of(String path) {
        PropertyPath known = PARSED.get(path);
        if (known == null) {
            if (PARSED.size() >= CACHE_LIMIT) {
                PARSED.clear();
            }
            known = parse(path);
            PARSED.put(path, known);
        }
        return known;
    }

    public static PropertyPath parse(String path) {
        List<String> segments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\' && i + 1 < path.length() && (path.charAt(i + 1) == '.' || path.charAt(i + 1) == '\\')) {
                current.append(path.charAt(++i));
            } else if (c == '.') {
                segments.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        segments.add(current.toString());
        return new PropertyPath(segments);
    }

    /** The value at this path in {@code event}, or null when a step is missing or not an object. */
    public JsonNode resolve(JsonNode event) {
        JsonNode node = event;
        for (String segment : segments) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(segment);
        }
        return node;
    }
}
