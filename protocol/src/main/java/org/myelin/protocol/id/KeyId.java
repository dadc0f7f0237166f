package org.myelin.protocol.id;

import java.util.Objects;

/**
 * A signing key identifier, {@code algorithm:version}, such as {@code ed25519:abc_1}: the
 * key's algorithm and the version that tells apart keys of one server (spec: appendices,
 * "Signing Details"; server-server API, "Server Keys": "The version must have characters
 * matching the regular expression {@code [a-zA-Z0-9_]}").
 *
 * <p>The spec names only {@code ed25519} as an algorithm and gives it no grammar; here an
 * algorithm is a non-empty run of the same characters as a version, which covers every
 * algorithm Matrix uses ({@code ed25519}, {@code curve25519}, {@code signed_curve25519}).
 *
 * @param algorithm the signing algorithm, such as {@code ed25519}
 * @param version the key version, non-empty {@code [a-zA-Z0-9_]}
 */
public record KeyId(String algorithm, String version) {

    /** The one signing algorithm the spec defines. */
    public static final String ED25519 = "ed25519";

    private static final String KIND = "key ID";

    /** Validates the parts; prefer {@link #parse}. */
    public KeyId {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(version, "version");
        if (!isKeyIdWord(algorithm)) {
            throw new InvalidIdentifierException(KIND, algorithm + ":" + version,
                    "the algorithm must be non-empty and only contain [a-zA-Z0-9_]");
        }
        if (!isKeyIdWord(version)) {
            throw new InvalidIdentifierException(KIND, algorithm + ":" + version,
                    "the version must be non-empty and only contain [a-zA-Z0-9_]");
        }
    }

    /** Parses a key ID such as {@code ed25519:abc_1}. */
    public static KeyId parse(String input) {
        Objects.requireNonNull(input, "input");
        int colon = input.indexOf(':');
        if (colon < 0) {
            throw new InvalidIdentifierException(KIND, input, "missing ':' between algorithm and version");
        }
        return new KeyId(input.substring(0, colon), input.substring(colon + 1));
    }

    /** An Ed25519 key ID with the given version. */
    public static KeyId ed25519(String version) {
        return new KeyId(ED25519, version);
    }

    /** Whether {@code input} is a valid key ID. */
    public static boolean isValid(String input) {
        try {
            return input != null && parse(input) != null;
        } catch (InvalidIdentifierException e) {
            return false;
        }
    }

    /** The wire form, {@code algorithm:version}. */
    @Override
    public String toString() {
        return algorithm + ":" + version;
    }

    private static boolean isKeyIdWord(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!IdText.isAsciiAlphanumeric(c) && c != '_') {
                return false;
            }
        }
        return true;
    }
}
