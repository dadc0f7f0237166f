package org.myelin.protocol.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Reading JSON from the wire into trees, with the checks Matrix asks of it: duplicate keys are
 * an error (two servers could otherwise read one event two ways); strings must be encodable as
 * UTF-8, so an unpaired surrogate (which a JSON escape can spell) is refused, as canonical
 * JSON could not be written for it; nesting is bounded ({@link #MAX_DEPTH}); and under the strict
 * integer rule of room versions 6+ (appendices, "Canonical JSON") numbers must be integers in
 * [-(2^53)+1, 2^53-1].
 *
 * <p>Failures are {@link CanonicalJsonException}s; {@link NotJsonException} when the bytes are not
 * JSON at all, as opposed to JSON that Matrix refuses.
 */
public final class MatrixJson {

    /**
     * How deeply an event, or a client's request body, may nest, a flat object or array being 1
     * deep (so an event's content may nest one level less). Checked when they are written, for
     * local and remote events alike ({@code Pdu}) and for every client body; 400 M_BAD_JSON or a
     * rejected PDU past it. Below the 128 at which serde_json (ruma-based servers and clients)
     * stops, so that an event still parses there inside a {@code /sync} response.
     */
    public static final int MAX_DEPTH = 100;

    /**
     * How deeply any JSON parses at all: twice {@link #MAX_DEPTH}, so that a value over the limit
     * inside an envelope (a PDU in a transaction) still parses and is refused alone, with its
     * reason, and whatever was stored under an earlier limit still reads back; yet far below the
     * depth at which a recursive walk of a tree (canonical encoding, redaction, the checks below)
     * could exhaust a thread's stack. Past it a document is refused whole.
     */
    public static final int MAX_PARSE_DEPTH = 2 * MAX_DEPTH;

    /** Whether numbers must satisfy canonical JSON's integer rule. */
    public enum Numbers {
        /** Room versions 6 and later, and every new object Myelin accepts from a client. */
        STRICT_INTEGERS,
        /** Room versions 1-5: events from the wild may hold floats or huge integers. */
        LENIENT
    }

    /**
     * Buffers are recycled through a shared pool rather than Jackson's default per-thread one:
     * requests are parsed on virtual threads, each new, so per-thread buffers were never reused.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_PARSE_DEPTH).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private MatrixJson() {
    }

    /** The shared, configured mapper; treat as read-only. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Parses one JSON value, rejecting duplicate keys, trailing data, nesting past
     * {@link #MAX_PARSE_DEPTH} and unpaired surrogates.
     *
     * @throws NotJsonException       if {@code json} is not JSON
     * @throws CanonicalJsonException if it is JSON that Matrix refuses
     */
    public static JsonNode parse(byte[] json, Numbers numbers) {
        JsonNode tree;
        try (JsonParser parser = MAPPER.createParser(json)) {
            tree = MAPPER.readTree(parser);
        } catch (StreamConstraintsException e) {
            throw new CanonicalJsonException("JSON nested deeper than " + MAX_PARSE_DEPTH + " levels, or too large: "
                    + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new NotJsonException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new NotJsonException("not valid JSON: " + e.getMessage(), e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new NotJsonException("empty JSON document");
        }
        checkStrings(tree, "");
        if (numbers == Numbers.STRICT_INTEGERS) {
            checkIntegers(tree, "");
        }
        return tree;
    }

    /** Parses a JSON object, as every Matrix request body and event is. */
    public static ObjectNode parseObject(byte[] json, Numbers numbers) {
        JsonNode tree = parse(json, numbers);
        if (!(tree instanceof ObjectNode object)) {
            throw new CanonicalJsonException("expected a JSON object, got " + tree.getNodeType());
        }
        return object;
    }

    /**
     * Throws unless every number under {@code node} is an integer that canonical JSON allows.
     * {@code path} names the place in error messages.
     */
    public static void checkIntegers(JsonNode node, String path) {
        if (node.isNumber()) {
            if (!node.isIntegralNumber()) {
                throw new CanonicalJsonException("number at " + display(path) + " is not an integer");
            }
            if (!node.canConvertToLong()
                    || node.longValue() > CanonicalJson.MAX_SAFE_INTEGER
                    || node.longValue() < CanonicalJson.MIN_SAFE_INTEGER) {
                throw new CanonicalJsonException("integer at " + display(path) + " is out of range");
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                checkIntegers(field.getValue(), path + "." + field.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkIntegers(node.get(i), path + "[" + i + "]");
            }
        }
    }

    /**
     * Throws unless every string under {@code node}, keys included, can be encoded as UTF-8: no
     * unpaired surrogate. {@code path} names the place in error messages.
     */
    public static void checkStrings(JsonNode node, String path) {
        if (node.isTextual()) {
            if (hasUnpairedSurrogate(node.textValue())) {
                throw new CanonicalJsonException("string at " + display(path) + " holds an unpaired surrogate");
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (hasUnpairedSurrogate(field.getKey())) {
                    throw new CanonicalJsonException("a key at " + display(path) + " holds an unpaired surrogate");
                }
                checkStrings(field.getValue(), path + "." + field.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkStrings(node.get(i), path + "[" + i + "]");
            }
        }
    }

    /**
     * Throws unless no string under {@code node}, keys included, holds U+0000. Events may hold it
     * (they are kept as canonical JSON, where it is an escape like any other); values stored in
     * columns of their own may not, as PostgreSQL text cannot.
     */
    public static void checkNoNul(JsonNode node, String path) {
        if (node.isTextual()) {
            if (node.textValue().indexOf('\0') >= 0) {
                throw new CanonicalJsonException("string at " + display(path) + " holds U+0000");
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (field.getKey().indexOf('\0') >= 0) {
                    throw new CanonicalJsonException("a key at " + display(path) + " holds U+0000");
                }
                checkNoNul(field.getValue(), path + "." + field.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkNoNul(node.get(i), path + "[" + i + "]");
            }
        }
    }

    /**
     * Throws unless {@code node} nests at most {@link #MAX_DEPTH} levels; {@code what} names it in
     * the message.
     */
    public static void checkDepth(JsonNode node, String what) {
        if (depth(node) > MAX_DEPTH) {
            throw new CanonicalJsonException(what + " nests deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** How deeply {@code node} nests: 0 for a scalar, 1 for a flat object or array. */
    public static int depth(JsonNode node) {
        int deepest = 0;
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                deepest = Math.max(deepest, depth(child));
            }
            return deepest + 1;
        }
        return 0;
    }

    /** Whether {@code s} holds a surrogate that is not half of a pair, which UTF-8 cannot encode. */
    public static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String display(String path) {
        if (path.isEmpty()) {
            return "the top level";
        }
        String shown = path.substring(path.startsWith(".") ? 1 : 0);
        // Keys are the sender's: an error message quotes at most a line of them.
        return shown.length() <= 200 ? shown : shown.substring(0, 200) + "…";
    }
}
