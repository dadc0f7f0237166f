package org.myelin.protocol.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
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
 * an error (two servers could otherwise read one event two ways), and under the strict integer
 * rule of room versions 6+ (appendices, "Canonical JSON") numbers must be integers in
 * [-(2^53)+1, 2^53-1].
 */
public final class MatrixJson {

    /** Whether numbers must satisfy canonical JSON's integer rule. */
    public enum Numbers {
        /** Room versions 6 and later, and every new object Myelin accepts from a client. */
        STRICT_INTEGERS,
        /** Room versions 1-5: events from the wild may hold floats or huge integers. */
        LENIENT
    }

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    static {
        // Events are at most 64 KiB; nesting deeper than this is an attack, not an event.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(128)
                .build());
    }

    private MatrixJson() {
    }

    /** The shared, configured mapper; treat as read-only. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses one JSON value, rejecting duplicate keys and trailing data. */
    public static JsonNode parse(byte[] json, Numbers numbers) {
        JsonNode tree;
        try (JsonParser parser = MAPPER.createParser(json)) {
            tree = MAPPER.readTree(parser);
        } catch (JsonProcessingException e) {
            throw new CanonicalJsonException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CanonicalJsonException("not valid JSON: " + e.getMessage(), e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new CanonicalJsonException("empty JSON document");
        }
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

    private static String display(String path) {
        return path.isEmpty() ? "the top level" : path.substring(path.startsWith(".") ? 1 : 0);
    }
}
