package org.myelin.protocol.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Matrix JSON refuses beyond the grammar: nesting past all reason, unpaired surrogates, U+0000 where asked. */
class MatrixJsonTest {

    private static JsonNode parse(String json) {
        return MatrixJson.parse(json.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT);
    }

    private static String nested(int levels) {
        return "[".repeat(levels) + "]".repeat(levels);
    }

    @Test
    void parsesUpToTheParseDepthAndRefusesDeeperAsRefusedNotAsNotJson() {
        assertEquals(MatrixJson.MAX_PARSE_DEPTH, MatrixJson.depth(parse(nested(MatrixJson.MAX_PARSE_DEPTH))));
        for (int levels : new int[]{MatrixJson.MAX_PARSE_DEPTH + 1, 900, 100_000}) {
            CanonicalJsonException e = assertThrows(CanonicalJsonException.class, () -> parse(nested(levels)));
            assertFalse(e instanceof NotJsonException, "JSON, but refused: " + e);
        }
    }

    @Test
    void theLimitIsCheckedApartFromParsing() {
        MatrixJson.checkDepth(parse(nested(MatrixJson.MAX_DEPTH)), "it");
        assertThrows(CanonicalJsonException.class,
                () -> MatrixJson.checkDepth(parse(nested(MatrixJson.MAX_DEPTH + 1)), "it"));
        assertEquals(0, MatrixJson.depth(parse("\"s\"")));
        assertEquals(1, MatrixJson.depth(parse("{\"a\":1}")));
    }

    @Test
    void treeWalkersCopeWithTheDeepestParsedTree() {
        JsonNode deepest = parse("{\"a\":" + nested(MatrixJson.MAX_PARSE_DEPTH - 1) + "}");
        assertTrue(CanonicalJson.encode(deepest).length > 0);
        MatrixJson.checkIntegers(deepest, "");
        MatrixJson.checkNoNul(deepest, "");
    }

    @Test
    void refusesUnpairedSurrogatesInValuesAndKeys() {
        for (String json : new String[]{"\"\\ud800\"", "\"a\\udc00b\"", "[\"\\udc00\\ud800\"]",
                "\"\\ud83d\\ud83d\""}) {
            CanonicalJsonException e = assertThrows(CanonicalJsonException.class, () -> parse(json), json);
            assertFalse(e instanceof NotJsonException, json);
        }
        for (String key : new String[]{"{\"\\ud83d\":1}", "{\"\\udc00\":1}"}) {
            assertThrows(CanonicalJsonException.class, () -> parse(key), "Jackson refuses these itself: " + key);
        }
        assertEquals("\uD83D\uDE00", parse("\"\\ud83d\\ude00\"").textValue(), "a pair is a character");
        byte[] encodedSurrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
        assertThrows(CanonicalJsonException.class,
                () -> MatrixJson.parse(encodedSurrogate, MatrixJson.Numbers.LENIENT));
    }

    @Test
    void keepsNulButCanBeAskedToRefuseIt() {
        JsonNode withNul = parse("{\"a\":[\"x\\u0000y\"]}");
        assertEquals("x\u0000y", withNul.path("a").path(0).textValue());
        assertEquals("{\"a\":[\"x\\u0000y\"]}", CanonicalJson.encodeToString(withNul));
        assertThrows(CanonicalJsonException.class, () -> MatrixJson.checkNoNul(withNul, ""));
        assertThrows(CanonicalJsonException.class, () -> MatrixJson.checkNoNul(parse("{\"a\\u0000\":1}"), ""));
        MatrixJson.checkNoNul(parse("{\"a\":[\"xy\"]}"), "");
    }

    @Test
    void notJsonIsToldApart() {
        for (String json : new String[]{"{", "{}{}", "", "{\"a\":1,\"a\":2}"}) {
            assertInstanceOf(NotJsonException.class, assertThrows(CanonicalJsonException.class, () -> parse(json)),
                    json);
        }
    }
}
