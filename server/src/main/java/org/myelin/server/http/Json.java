package org.myelin.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.json.CanonicalJsonException;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.json.NotJsonException;

/**
 * JSON at the HTTP edge: request bodies bound to records, response records written.
 *
 * <p>Record components are camelCase in Java and snake_case on the wire, as almost every
 * Matrix key is; a key that is not ({@code m.homeserver}) is named with
 * {@code @JsonProperty}. Absent optional values (null) are left out of responses. Unknown
 * keys in requests are ignored, as the spec expects of servers.
 *
 * <p>Request bodies are parsed as {@link MatrixJson} parses anything from the wire (no unpaired
 * surrogates, no duplicate keys, floats kept exact), nest at most {@link MatrixJson#MAX_DEPTH}
 * levels, and their strings may hold U+0000 only where the body becomes event content
 * ({@link BodyKind}).
 */
public final class Json {

    /** What a request body becomes, which decides whether its strings may hold U+0000. */
    public enum BodyKind {
        /**
         * Data kept in columns and JSONB of its own (account data, profiles, devices, push rules,
         * filters, …) or used in queries: PostgreSQL text cannot hold U+0000, so it is refused
         * with 400 M_BAD_JSON.
         */
        DATA,
        /**
         * JSON kept whole as canonical JSON text, in which U+0000 is an escape like any other:
         * event content (and what goes only into events; other servers accept U+0000 there too),
         * to-device messages and backed-up room keys (not a backup version, whose algorithm is a column).
         */
        KEPT_AS_TEXT
    }

    /**
     * Jackson's buffers are recycled through a shared pool: its default pool is per thread, and
     * every request runs on a new virtual thread, so each response allocated fresh buffers
     * (~8 KB of output buffer and more) that were never reused. What it reads (stored values,
     * filters in query strings) is bounded in depth as everything else Myelin parses.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MatrixJson.MAX_PARSE_DEPTH).build())
                    .build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // Floats read back from storage stay what they were (1e400 is no double).
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {}

    /**
     * Binds the request body, {@link BodyKind#DATA}, to {@code type}: 400 M_NOT_JSON when the
     * body is not JSON (or empty), 400 M_BAD_JSON when it is JSON of the wrong shape, naming the
     * offending key. A record's compact constructor may throw {@link MatrixException} (kept as is)
     * or {@link IllegalArgumentException} (reported as M_BAD_JSON) to reject values.
     */
    public static <T> T bind(RoutingContext ctx, Class<T> type) {
        return bind(ctx, type, BodyKind.DATA);
    }

    /** {@link #bind(RoutingContext, Class)} for a body of the given kind. */
    public static <T> T bind(RoutingContext ctx, Class<T> type, BodyKind kind) {
        JsonNode tree = parseBody(ctx, kind);
        if (!tree.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof MatrixException m) {
                throw m;
            }
            String reason = e.getCause() != null && e.getCause().getMessage() != null
                    ? e.getCause().getMessage() : e.getOriginalMessage();
            throw MatrixException.badJson(reason);
        } catch (JsonMappingException e) {
            throw MatrixException.badJson(describe(e));
        } catch (JsonProcessingException e) {
            throw MatrixException.badJson(e.getOriginalMessage());
        }
    }

    /** The request body, {@link BodyKind#DATA}, as a JSON tree. */
    public static JsonNode parseBody(RoutingContext ctx) {
        return parseBody(ctx, BodyKind.DATA);
    }

    /**
     * The request body as a JSON tree: 400 M_NOT_JSON when it is not JSON (or empty), 400
     * M_BAD_JSON when it is JSON that Matrix refuses (nested too deeply, an unpaired surrogate,
     * U+0000 in {@link BodyKind#DATA}).
     */
    public static JsonNode parseBody(RoutingContext ctx, BodyKind kind) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw MatrixException.notJson("Request body is empty; expected JSON");
        }
        try {
            JsonNode tree = MatrixJson.parse(body.getBytes(), MatrixJson.Numbers.LENIENT);
            MatrixJson.checkDepth(tree, "the request body");
            if (kind == BodyKind.DATA) {
                MatrixJson.checkNoNul(tree, "");
            }
            return tree;
        } catch (NotJsonException e) {
            throw MatrixException.notJson("Content not JSON: " + e.getMessage());
        } catch (CanonicalJsonException e) {
            throw MatrixException.badJson("Content refused: " + e.getMessage());
        }
    }

    /**
     * Serialises a response body straight into the buffer that is sent: through a byte array
     * first, every /sync response was copied twice more (out of Jackson's builder, into Vert.x's
     * buffer).
     */
    public static Buffer write(Object body) {
        Buffer buffer = Buffer.buffer(FIRST_CHUNK);
        try (java.io.OutputStream out = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                buffer.appendByte((byte) b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                buffer.appendBytes(bytes, offset, length);
            }
        }) {
            MAPPER.writeValue(out, body);
            return buffer;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + body.getClass().getName(), e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A response's first buffer: most answers (a woken /sync, a send) fit. */
    private static final int FIRST_CHUNK = 2048;

    private static String describe(JsonMappingException e) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                key.append(key.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                key.append('[').append(ref.getIndex()).append(']');
            }
        }
        String where = key.isEmpty() ? "request body" : "'" + key + "'";
        if (e instanceof InvalidFormatException f) {
            return "Invalid value for " + where + ": " + f.getValue();
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "Wrong type for " + where + ": expected " + simpleType(m.getTargetType());
        }
        return "Invalid " + where;
    }

    private static String simpleType(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
            return "an integer";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
