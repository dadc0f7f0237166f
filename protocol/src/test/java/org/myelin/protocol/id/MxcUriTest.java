package org.myelin.protocol.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Client-server API, "Matrix Content (mxc://) URIs" and its security considerations. */
class MxcUriTest {

    @Test
    void parsesServerAndMediaIdAndGivesBackTheWireForm() {
        MxcUri uri = MxcUri.parse("mxc://example.com:8448/AQwafuaFswefuhsfAFAgsw");
        assertEquals("example.com:8448", uri.server().toString());
        assertEquals("AQwafuaFswefuhsfAFAgsw", uri.mediaId().value());
        assertEquals("mxc://example.com:8448/AQwafuaFswefuhsfAFAgsw", uri.toString());
        assertEquals("mxc://[::1]/a_b-C9", MxcUri.parse("mxc://[::1]/a_b-C9").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.com/abc", "mxc://example.com", "mxc://example.com/", "mxc:///abc",
            "mxc://example.com/../../etc/passwd", "mxc://example.com/a%2Fb", "mxc://example.com/a.b",
            "mxc://exa mple.com/abc", "mxc://example.com/abc/def"})
    void refusesWhatIsNotAServerNameAndASanitisedMediaId(String input) {
        assertThrows(InvalidIdentifierException.class, () -> MxcUri.parse(input));
    }

    @Test
    void mediaIdsAreUrlSafeAndBounded() {
        assertTrue(MediaId.isValid("abcXYZ019_-"));
        assertFalse(MediaId.isValid(""));
        assertFalse(MediaId.isValid("a".repeat(MediaId.MAX_LENGTH + 1)));
        assertFalse(MediaId.isValid("é"));
        assertFalse(MediaId.isValid(null));
    }

    @Test
    void generatedMediaIdsAreTwentyFourLetters() {
        MediaId id = MediaId.random(new SplittableRandom(1));
        assertEquals(MediaId.GENERATED_LENGTH, id.value().length());
        assertTrue(id.value().chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')), id.value());
    }
}
