package org.myelin.storage.media;

import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The SHA-256 of a piece of content, in lower-case hex: the name it is stored under in a
 * {@link MediaStore}, so that the same bytes uploaded twice are stored once. Validated on
 * construction, so that a hash can never name a file outside the store.
 */
public record Sha256(String hex) {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Sha256 {
        Objects.requireNonNull(hex, "hex");
        if (!HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a lower-case hex SHA-256: " + hex);
        }
    }

    public static Sha256 of(byte[] digest) {
        return new Sha256(HexFormat.of().formatHex(digest));
    }

    @Override
    public String toString() {
        return hex;
    }
}
