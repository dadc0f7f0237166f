package org.myelin.protocol.id;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Identifiers of exactly 255 and 256 UTF-8 bytes, built from one-, two- and four-byte
 * characters, so the limit is checked in bytes and not in chars or code points (spec:
 * appendices, "User Identifiers", "Room IDs", "Room Aliases", "Event IDs": "MUST NOT exceed
 * 255 bytes").
 */
final class ByteLimits {

    private ByteLimits() {}

    /** Arguments (wire form, whether it fits) for {@code sigil localpart ":" domain}. */
    static Stream<Arguments> around255Bytes(char sigil, String domain) {
        int room = 255 - 2 - domain.length(); // bytes left for the localpart
        return Stream.of(
                fits(sigil, "a".repeat(room), domain, true),
                fits(sigil, "a".repeat(room + 1), domain, false),
                // 'é' is two bytes in UTF-8 but one char: 256 bytes in fewer than 255 chars
                fits(sigil, "é".repeat(room / 2) + "a".repeat(room % 2), domain, true),
                fits(sigil, "é".repeat(room / 2) + "a".repeat(room % 2 + 1), domain, false),
                // U+1F600 is four bytes in UTF-8 and two chars
                fits(sigil, "\ud83d\ude00".repeat(room / 4) + "a".repeat(room % 4), domain, true),
                fits(sigil, "\ud83d\ude00".repeat(room / 4) + "a".repeat(room % 4 + 1), domain, false));
    }

    private static Arguments fits(char sigil, String localpart, String domain, boolean fits) {
        String wire = sigil + localpart + ":" + domain;
        int bytes = wire.getBytes(StandardCharsets.UTF_8).length;
        if (bytes != (fits ? 255 : 256)) {
            throw new IllegalStateException("fixture is " + bytes + " bytes");
        }
        String name = bytes + " bytes, " + wire.length() + " chars, localpart of "
                + (localpart.contains("é") ? "é" : localpart.contains("\ud83d") ? "U+1F600" : "a");
        return Arguments.of(Named.of(name, wire), fits);
    }
}
