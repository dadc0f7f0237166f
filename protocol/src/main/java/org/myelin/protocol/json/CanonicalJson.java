package org.myelin.protocol.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Canonical JSON as the Matrix appendix defines it ("Signing JSON", "Canonical JSON"):
 * the shortest UTF-8 encoding, object keys sorted by Unicode code point, integers only,
 * no insignificant white space, and only the escapes the grammar allows.
 *
 * <p>Everything signed or hashed in Matrix goes through {@link #encode(JsonNode)}; nothing
 * else in Myelin serialises JSON for those purposes.
 */
public final class CanonicalJson {

    /** Largest integer canonical JSON allows, 2^53 - 1. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    /** Smallest integer canonical JSON allows, -(2^53) + 1. */
    public static final long MIN_SAFE_INTEGER = -MAX_SAFE_INTEGER;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /**
     * Orders strings by Unicode code point. {@link String#compareTo} orders by UTF-16 code unit,
     * which puts supplementary characters (surrogate pairs) before U+E000..U+FFFF: wrong here.
     */
    public static final Comparator<String> CODE_POINT_ORDER = CanonicalJson::compareCodePoints;
    private static final Comparator<Map.Entry<String, JsonNode>> BY_KEY = Map.Entry.comparingByKey(CODE_POINT_ORDER);

    private CanonicalJson() {
    }

    /** The canonical encoding of {@code value}, as UTF-8 bytes. */
    public static byte[] encode(JsonNode value) {
        ByteSink sink = new ByteSink(1024);
        write(value, sink);
        return sink.toByteArray();
    }

    /** The canonical encoding of {@code value}, as a string. */
    public static String encodeToString(JsonNode value) {
        return new String(encode(value), StandardCharsets.UTF_8);
    }

    /**
     * The canonical encoding of {@code object} without the keys named in {@code omit},
     * as signing ({@code signatures}, {@code unsigned}) and content hashing (also {@code hashes})
     * need it, without copying the object first.
     */
    public static byte[] encodeWithout(ObjectNode object, String... omit) {
        ByteSink sink = new ByteSink(1024);
        writeObject(object, sink, omit);
        return sink.toByteArray();
    }

    private static void write(JsonNode node, ByteSink out) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject((ObjectNode) node, out);
            case ARRAY -> {
                out.write('[');
                boolean first = true;
                for (JsonNode element : node) {
                    if (!first) {
                        out.write(',');
                    }
                    first = false;
                    write(element, out);
                }
                out.write(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> writeNumber(node, out);
            case BOOLEAN -> out.writeAscii(node.booleanValue() ? "true" : "false");
            case NULL -> out.writeAscii("null");
            default -> throw new CanonicalJsonException("cannot encode a " + node.getNodeType() + " as JSON");
        }
    }

    private static void writeObject(ObjectNode object, ByteSink out, String... omit) {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(object.size());
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!omitted(field.getKey(), omit)) {
                fields.add(field);
            }
        }
        fields.sort(BY_KEY);
        out.write('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : fields) {
            if (!first) {
                out.write(',');
            }
            first = false;
            writeString(field.getKey(), out);
            out.write(':');
            write(field.getValue(), out);
        }
        out.write('}');
    }

    private static boolean omitted(String key, String[] omit) {
        for (String name : omit) {
            if (name.equals(key)) {
                return true;
            }
        }
        return false;
    }

    private static void writeNumber(JsonNode node, ByteSink out) {
        if (node.isInt() || node.isLong()) {
            // Every event has depth and origin_server_ts: no BigInteger for them.
            out.writeAscii(Long.toString(node.longValue()));
            return;
        }
        if (node.isIntegralNumber()) {
            out.writeAscii(node.bigIntegerValue().toString());
            return;
        }
        // A float that holds an integer (1e10, -0.0) is written as that integer, as the
        // appendix's examples require; a true fraction has no canonical form.
        BigDecimal decimal = node.decimalValue();
        try {
            BigInteger integer = decimal.toBigIntegerExact();
            out.writeAscii(integer.toString());
        } catch (ArithmeticException fraction) {
            throw new CanonicalJsonException("floats are not allowed in canonical JSON: " + node);
        }
    }

    private static void writeString(String s, ByteSink out) {
        out.write('"');
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '"' -> out.writeAscii("\\\"");
                    case '\\' -> out.writeAscii("\\\\");
                    case '\b' -> out.writeAscii("\\b");
                    case '\t' -> out.writeAscii("\\t");
                    case '\n' -> out.writeAscii("\\n");
                    case '\f' -> out.writeAscii("\\f");
                    case '\r' -> out.writeAscii("\\r");
                    default -> {
                        if (c < 0x20) {
                            out.writeAscii("\\u00");
                            out.write(HEX[c >> 4]);
                            out.write(HEX[c & 0xF]);
                        } else {
                            out.write(c);
                        }
                    }
                }
            } else if (c < 0x800) {
                out.write(0xC0 | (c >> 6));
                out.write(0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.write(0xF0 | (cp >> 18));
                out.write(0x80 | ((cp >> 12) & 0x3F));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                throw new CanonicalJsonException("string holds an unpaired surrogate, which UTF-8 cannot encode");
            } else {
                out.write(0xE0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            }
        }
        out.write('"');
    }

    static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                // Surrogates (U+D800..U+DFFF) stand for code points above U+FFFF, so they sort
                // after every other BMP character.
                boolean xs = Character.isSurrogate(x);
                boolean ys = Character.isSurrogate(y);
                if (xs != ys) {
                    return xs ? 1 : -1;
                }
                return x - y;
            }
        }
        return a.length() - b.length();
    }

    /** A growable byte buffer; cheaper than ByteArrayOutputStream, which synchronises. */
    private static final class ByteSink {
        private byte[] bytes;
        private int size;

        ByteSink(int capacity) {
            bytes = new byte[capacity];
        }

        void write(int b) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[size++] = (byte) b;
        }

        void writeAscii(String s) {
            for (int i = 0; i < s.length(); i++) {
                write(s.charAt(i));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }
    }
}
