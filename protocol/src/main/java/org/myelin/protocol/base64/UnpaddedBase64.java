package org.myelin.protocol.base64;

import java.util.Base64;
import java.util.Objects;

/**
 * Matrix's unpadded Base64: RFC 4648 Base64 without the {@code =} padding, in the standard
 * alphabet (keys, signatures, hashes, room version 3 event IDs) or the URL-safe one (event IDs
 * from room version 4, room IDs of room version 12).
 *
 * <p>Spec: appendices, "Unpadded Base64" and "URL-safe unpadded Base64". Encoding never pads.
 * Decoding accepts input with or without padding, as the spec asks ("implementations SHOULD
 * accept input with or without padding characters wherever possible"); padding, when present,
 * must be complete and at the end. Decoding tolerates non-zero bits after the last whole byte,
 * because real data has them: the spec's own signing-key test vector
 * ({@code ...Md7kMW+3XA1}) does.
 */
public final class UnpaddedBase64 {

    private static final Base64.Encoder STANDARD = Base64.getEncoder().withoutPadding();
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

    private UnpaddedBase64() {}

    /** Encodes in the standard alphabet ({@code +} and {@code /}), without padding. */
    public static String encode(byte[] bytes) {
        return STANDARD.encodeToString(bytes);
    }

    /** Encodes in the URL-safe alphabet ({@code -} and {@code _}), without padding. */
    public static String encodeUrlSafe(byte[] bytes) {
        return URL_SAFE.encodeToString(bytes);
    }

    /**
     * Decodes the standard alphabet, padded or not.
     *
     * @throws IllegalArgumentException on a character outside the alphabet (URL-safe {@code -}
     *     and {@code _} included), a dangling single character, or misplaced padding
     */
    public static byte[] decode(String text) {
        return decodeWith(Base64.getDecoder(), "standard", text);
    }

    /**
     * Decodes the URL-safe alphabet, padded or not.
     *
     * @throws IllegalArgumentException on a character outside the alphabet (standard {@code +}
     *     and {@code /} included), a dangling single character, or misplaced padding
     */
    public static byte[] decodeUrlSafe(String text) {
        return decodeWith(Base64.getUrlDecoder(), "URL-safe", text);
    }

    private static byte[] decodeWith(Base64.Decoder decoder, String alphabet, String text) {
        Objects.requireNonNull(text, "text");
        try {
            // The JDK's RFC 4648 decoders accept a missing final padding and reject anything
            // else irregular (stray characters, whitespace, partial padding, data after '=').
            return decoder.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid " + alphabet + " base64: " + e.getMessage(), e);
        }
    }
}
