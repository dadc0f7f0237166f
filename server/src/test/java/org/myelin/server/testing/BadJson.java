package org.myelin.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.myelin.server.http.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Hostile JSON for bad-input tests: values of the wrong type, strings holding U+0000 or unpaired
 * surrogates, floats and unsafe integers, nesting far past any sane depth, oversize strings; and
 * the mutations of a well-formed body that put each of them in each place of it.
 *
 * <p>Values are raw JSON text, because a JSON library would refuse to write some of them (an
 * unpaired surrogate) or write them differently (a float that holds an integer).
 */
public final class BadJson {

    /** A request body: what it is, and its bytes. */
    public record Body(String description, byte[] bytes) {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Each bad value by name, as raw JSON. */
    public static final Map<String, String> VALUES = values();

    /** A way to spoil a well-formed body, applicable to any body of the same shape. */
    public record Mutation(String description, Function<ObjectNode, byte[]> apply) {
        public Body of(ObjectNode base) {
            return new Body(description, apply.apply(base));
        }
    }

    /** Bodies that are no JSON object at all. */
    private static final List<Body> NOT_OBJECTS = List.of(
            body("an array", "[]"),
            body("a string", "\"s\""),
            body("a number", "1"),
            body("null", "null"),
            body("truncated JSON", "{\"a\":"),
            body("trailing data", "{}{}"),
            body("a duplicate key", "{\"a\":1,\"a\":2}"),
            body("a NUL key", "{\"a\\u0000\":1}"),
            body("an unpaired surrogate key", "{\"\\ud800\":1}"),
            body("nesting 900 levels deep", deep(900)),
            new Body("bytes that are not UTF-8", new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}),
            new Body("a surrogate encoded as UTF-8", new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0,
                    (byte) 0x80, '"', '}'}));

    private BadJson() {
    }

    private static Map<String, String> values() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("a number", "1");
        v.put("a boolean", "true");
        v.put("null", "null");
        v.put("a string", "\"s\"");
        v.put("an object", "{}");
        v.put("an array", "[]");
        v.put("a string with NUL", "\"hi\\u0000there\"");
        v.put("NUL deep inside", "{\"k\":[\"\\u0000\"]}");
        v.put("a NUL key", "{\"a\\u0000b\":\"c\"}");
        v.put("an unpaired high surrogate", "\"\\ud800\"");
        v.put("an unpaired low surrogate", "\"a\\udc00b\"");
        v.put("surrogates in the wrong order", "{\"k\":\"\\udc00\\ud800\"}");
        v.put("a float", "1.5");
        v.put("a float holding an integer", "2.0");
        v.put("a float too large for a double", "1e400");
        v.put("an integer past 2^53", "9007199254740993");
        v.put("an integer of 400 digits", "1" + "0".repeat(400));
        v.put("nesting 200 levels deep", deep(200));
        v.put("nesting 900 levels deep", deep(900));
        v.put("a 70 kB string", "\"" + noise(70_000) + "\"");
        v.put("a 1 MiB string", "\"" + noise(1 << 20) + "\"");
        return v;
    }

    /**
     * {@code length} letters and digits that do not compress (PostgreSQL compresses long values,
     * and a repeated letter would slip past limits that a real string meets, such as the size of
     * an index entry). The same each time.
     */
    public static String noise(int length) {
        java.util.Random random = new java.util.Random(length);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** {@code levels} nested containers, objects and arrays alternating. */
    public static String deep(int levels) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            s.append(i % 2 == 0 ? "{\"d\":" : "[");
        }
        s.append("0");
        for (int i = levels - 1; i >= 0; i--) {
            s.append(i % 2 == 0 ? "}" : "]");
        }
        return s.toString();
    }

    /** {@code levels} nested objects, as a JSON object (the outermost is level 1). */
    public static String deepObject(int levels) {
        return "{\"d\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    }

    /**
     * Every mutation of a body shaped like {@code base}: replaced by something that is no JSON
     * object, each bad value in place of each value of it (at every depth), and each under a new
     * key at the top.
     */
    public static List<Mutation> mutations(ObjectNode base) {
        List<Mutation> mutations = new ArrayList<>();
        for (Body whole : NOT_OBJECTS) {
            mutations.add(new Mutation(whole.description(), b -> whole.bytes()));
        }
        for (List<Object> path : paths(base, List.of())) {
            for (Map.Entry<String, String> bad : VALUES.entrySet()) {
                mutations.add(new Mutation(bad.getKey() + " at " + path, b -> {
                    ObjectNode copy = b.deepCopy();
                    replace(copy, path, placeholder());
                    return fill(copy, bad.getValue());
                }));
            }
        }
        for (Map.Entry<String, String> bad : VALUES.entrySet()) {
            mutations.add(new Mutation(bad.getKey() + " under a new key", b -> {
                ObjectNode copy = b.deepCopy();
                copy.set("org.example.extra", placeholder());
                return fill(copy, bad.getValue());
            }));
        }
        return mutations;
    }

    private static Body body(String description, String json) {
        return new Body(description, json.getBytes(StandardCharsets.UTF_8));
    }

    private static TextNode placeholder() {
        return TextNode.valueOf("\u0001BAD\u0001");
    }

    private static byte[] fill(ObjectNode body, String raw) {
        String text;
        try {
            text = Json.MAPPER.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return text.replace("\"\\u0001BAD\\u0001\"", raw).getBytes(StandardCharsets.UTF_8);
    }

    /** The path of every value under {@code node}, as steps: a key (String) or an index (Integer). */
    private static List<List<Object>> paths(JsonNode node, List<Object> prefix) {
        List<List<Object>> paths = new ArrayList<>();
        if (node.isObject()) {
            node.properties().forEach(e -> {
                List<Object> p = append(prefix, e.getKey());
                paths.add(p);
                paths.addAll(paths(e.getValue(), p));
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                List<Object> p = append(prefix, i);
                paths.add(p);
                paths.addAll(paths(node.get(i), p));
            }
        }
        return paths;
    }

    private static List<Object> append(List<Object> path, Object step) {
        List<Object> longer = new ArrayList<>(path);
        longer.add(step);
        return List.copyOf(longer);
    }

    private static void replace(JsonNode root, List<Object> path, JsonNode value) {
        JsonNode parent = root;
        for (Object step : path.subList(0, path.size() - 1)) {
            parent = step instanceof Integer i ? parent.get(i) : parent.get((String) step);
        }
        Object last = path.get(path.size() - 1);
        if (last instanceof Integer i) {
            ((ArrayNode) parent).set(i, value);
        } else {
            ((ObjectNode) parent).set((String) last, value);
        }
    }

    /** A fresh empty object, for building bases. */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
