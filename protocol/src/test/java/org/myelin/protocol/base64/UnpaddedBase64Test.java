package org.myelin.protocol.base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spec: appendices, "Unpadded Base64" and "URL-safe unpadded Base64"; fixtures in
 * {@code spec-vectors/base64-unpadded.json}.
 */
class UnpaddedBase64Test {

    private static final JsonNode VECTORS = load("/spec-vectors/base64-unpadded.json");

    static Stream<Arguments> specExamples() {
        return StreamSupport.stream(VECTORS.get("examples").spliterator(), false)
                .map(example -> Arguments.of(Named.of(
                        "UNPADDED_BASE64(\"" + example.get("decoded").asText() + "\")", example)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specExamples")
    void encodesSpecExamplesWithoutPadding(JsonNode example) {
        byte[] decoded = example.get("decoded").asText().getBytes(StandardCharsets.US_ASCII);

        assertEquals(example.get("encoded").asText(), UnpaddedBase64.encode(decoded));
        // These examples have no value 62 or 63, so both alphabets agree.
        assertEquals(example.get("encoded").asText(), UnpaddedBase64.encodeUrlSafe(decoded));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specExamples")
    void decodesSpecExamplesWithAndWithoutPadding(JsonNode example) {
        byte[] decoded = example.get("decoded").asText().getBytes(StandardCharsets.US_ASCII);

        assertArrayEquals(decoded, UnpaddedBase64.decode(example.get("encoded").asText()));
        assertArrayEquals(decoded, UnpaddedBase64.decode(example.get("padded").asText()));
        assertArrayEquals(decoded, UnpaddedBase64.decodeUrlSafe(example.get("encoded").asText()));
        assertArrayEquals(decoded, UnpaddedBase64.decodeUrlSafe(example.get("padded").asText()));
    }

    @Test
    void decodesTheSpecSigningKeySeedDespiteTrailingBits() {
        JsonNode seed = VECTORS.get("signingKeySeed");

        byte[] bytes = UnpaddedBase64.decode(seed.get("encoded").asText());

        assertEquals(seed.get("hex").asText(), HexFormat.of().formatHex(bytes));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // bytes, standard, URL-safe: values 62 and 63 are '+' '/' or '-' '_'
        "fbff,   +/8,  -_8",
        "fbefbe, ++++, ----",
        "ffffff, ////, ____",
        "00,     AA,   AA",
    })
    void usesTheRightAlphabetForValues62And63(String hex, String standard, String urlSafe) {
        byte[] bytes = HexFormat.of().parseHex(hex);

        assertEquals(standard, UnpaddedBase64.encode(bytes));
        assertEquals(urlSafe, UnpaddedBase64.encodeUrlSafe(bytes));
        assertArrayEquals(bytes, UnpaddedBase64.decode(standard));
        assertArrayEquals(bytes, UnpaddedBase64.decodeUrlSafe(urlSafe));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
        "Z",          // one character carries only 6 bits: never a whole byte
        "Zm9vY",      // same, after a full quantum
        "Zg=",        // partial padding
        "Zg===",      // too much padding
        "Zm9v=",      // padding after a full quantum
        "=",
        "Zg==Zg",     // data after padding
        "Zm 8",       // whitespace
        "Zm8\n",
        "Zm8.",       // not in either alphabet
        "-_8",        // URL-safe characters in the standard alphabet
    })
    void standardDecodingRejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> UnpaddedBase64.decode(text));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Z", "Zg=", "Zm9v=", "Zg==Zg", "Zm 8", "+/8", "Zm8$"})
    void urlSafeDecodingRejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> UnpaddedBase64.decodeUrlSafe(text));
    }

    @Test
    void roundTripsEveryLengthUpToThreeQuanta() {
        IntStream.rangeClosed(0, 12).forEach(length -> {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) (i * 37 + 251); // fixed data hitting high values, no randomness
            }
            String standard = UnpaddedBase64.encode(bytes);
            String urlSafe = UnpaddedBase64.encodeUrlSafe(bytes);
            assertEquals((length * 4 + 2) / 3, standard.length(), "unpadded length");
            assertArrayEquals(bytes, UnpaddedBase64.decode(standard));
            assertArrayEquals(bytes, UnpaddedBase64.decodeUrlSafe(urlSafe));
        });
    }

    private static JsonNode load(String resource) {
        try (InputStream in = UnpaddedBase64Test.class.getResourceAsStream(resource)) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
