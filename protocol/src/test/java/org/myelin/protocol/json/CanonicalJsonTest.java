package org.myelin.protocol.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Canonical JSON against the appendix's examples and grammar ("Signing JSON"). */
class CanonicalJsonTest {

    static Stream<Arguments> specExamples() throws IOException {
        try (InputStream in = CanonicalJsonTest.class.getResourceAsStream("/spec-vectors/canonical-json.json")) {
            JsonNode doc = MatrixJson.mapper().readTree(in);
            List<Arguments> cases = new ArrayList<>();
            for (JsonNode c : doc.get("cases")) {
                cases.add(Arguments.of(c.get("input").asText(), c.get("canonical").asText()));
            }
            return cases.stream();
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("specExamples")
    void encodesEverySpecExample(String input, String canonical) {
        JsonNode parsed = MatrixJson.parse(input.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT);
        assertArrayEquals(canonical.getBytes(StandardCharsets.UTF_8), CanonicalJson.encode(parsed));
    }

    @Test
    void escapesOnlyWhatTheGrammarEscapes() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("s", "\u0000\u0001\u0007\b\t\n\u000b\f\r\u000e\u001f \"\\/\u007f\u2028é😀");
        assertEquals("{\"s\":\"\\u0000\\u0001\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u001f \\\"\\\\/\u007f\u2028é😀\"}",
                CanonicalJson.encodeToString(o));
    }

    @Test
    void sortsKeysByCodePointNotUtf16Unit() {
        // U+1F600 (a surrogate pair in UTF-16) sorts after U+FB01 by code point, before it by code unit.
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("😀", 1);
        o.put("ﬁ", 2);
        o.put("a", 3);
        assertEquals("{\"a\":3,\"ﬁ\":2,\"😀\":1}", CanonicalJson.encodeToString(o));
    }

    @Test
    void writesNestedArraysAndLiterals() {
        String json = "{\"z\":[1,[true,false,null],{\"b\":{},\"a\":[]}],\"a\":-9007199254740991}";
        JsonNode parsed = MatrixJson.parse(json.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.STRICT_INTEGERS);
        assertEquals("{\"a\":-9007199254740991,\"z\":[1,[true,false,null],{\"a\":[],\"b\":{}}]}",
                CanonicalJson.encodeToString(parsed));
    }

    @Test
    void rejectsFractionsWhenEncoding() {
        JsonNode parsed = MatrixJson.parse("{\"a\":1.5}".getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT);
        assertThrows(CanonicalJsonException.class, () -> CanonicalJson.encode(parsed));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":1.5}",
        "{\"a\":1e10}",
        "{\"a\":9007199254740992}",
        "{\"a\":-9007199254740992}",
        "{\"a\":[{\"b\":12345678901234567890}]}",
    })
    void strictParsingRejectsWhatCanonicalJsonForbids(String json) {
        assertThrows(CanonicalJsonException.class,
                () -> MatrixJson.parse(json.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.STRICT_INTEGERS));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":1,\"a\":2}",
        "{\"a\":NaN}",
        "{\"a\":1} x",
        "{'a':1}",
        "{\"a\":1,}",
        "",
        "{\"a\":\"\\x\"}",
    })
    void parsingRejectsMalformedJson(String json) {
        assertThrows(CanonicalJsonException.class,
                () -> MatrixJson.parse(json.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT));
    }

    @Test
    void parseObjectRejectsNonObjects() {
        assertThrows(CanonicalJsonException.class,
                () -> MatrixJson.parseObject("[1]".getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT));
    }

    @Test
    void strictParsingAcceptsTheBoundaries() {
        JsonNode parsed = MatrixJson.parse("[9007199254740991,-9007199254740991,0]".getBytes(StandardCharsets.UTF_8),
                MatrixJson.Numbers.STRICT_INTEGERS);
        assertEquals("[9007199254740991,-9007199254740991,0]", CanonicalJson.encodeToString(parsed));
    }

    @Test
    void rejectsUnpairedSurrogates() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("a", "\ud800");
        assertThrows(CanonicalJsonException.class, () -> CanonicalJson.encode(o));
    }

    @Test
    void encodeWithoutOmitsOnlyTheNamedTopLevelKeys() {
        JsonNode parsed = MatrixJson.parse("{\"signatures\":{},\"unsigned\":{\"x\":1},\"c\":{\"unsigned\":1}}"
                .getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.STRICT_INTEGERS);
        assertEquals("{\"c\":{\"unsigned\":1}}", new String(
                CanonicalJson.encodeWithout((ObjectNode) parsed, "signatures", "unsigned"), StandardCharsets.UTF_8));
    }
}
