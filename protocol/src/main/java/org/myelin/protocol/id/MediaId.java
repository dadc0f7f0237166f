package org.myelin.protocol.id;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The media ID of an {@code mxc://} URI: an opaque name of a piece of content on its origin
 * server (client-server API, "Matrix Content (mxc://) URIs"). Only {@code A-Za-z0-9}, {@code _}
 * and {@code -}, as the spec requires of servers to sanitise against directory traversal; at
 * most 255 characters, the longest any identifier may be.
 *
 * @param value the media ID as it appears on the wire
 */
public record MediaId(String value) {

    /** Longest media ID accepted. */
    public static final int MAX_LENGTH = 255;
    /** Length of the IDs this server makes, as Synapse's ({@code random_string(24)}). */
    public static final int GENERATED_LENGTH = 24;

    private static final String KIND = "media ID";
    private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** Validates {@code value}; prefer {@link #parse}. */
    public MediaId {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new InvalidIdentifierException(KIND, value, "must not be empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidIdentifierException(KIND, value, "longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!IdText.isAsciiAlphanumeric(c) && c != '_' && c != '-') {
                throw new InvalidIdentifierException(KIND, value, "may only contain A-Za-z0-9, '_' and '-'");
            }
        }
    }

    public static MediaId parse(String value) {
        return new MediaId(value);
    }

    public static boolean isValid(String value) {
        try {
            return value != null && parse(value) != null;
        } catch (InvalidIdentifierException e) {
            return false;
        }
    }

    /**
     * A new media ID of {@link #GENERATED_LENGTH} ASCII letters drawn from {@code random} (a
     * secure one: a media ID is all it takes to download content from the unauthenticated
     * endpoints).
     */
    public static MediaId random(RandomGenerator random) {
        char[] id = new char[GENERATED_LENGTH];
        for (int i = 0; i < id.length; i++) {
            id[i] = LETTERS.charAt(random.nextInt(LETTERS.length()));
        }
        return new MediaId(new String(id));
    }

    @Override
    public String toString() {
        return value;
    }
}
