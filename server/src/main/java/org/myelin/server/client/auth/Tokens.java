package org.myelin.server.client.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Secrets handed to clients: access and refresh tokens (256 random bits, URL-safe, with a
 * prefix that says what they are), and the SHA-256 under which the database keeps them.
 */
public final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final char[] ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();

    private Tokens() {}

    public static String newAccessToken() {
        return "myat_" + randomText(32);
    }

    public static String newRefreshToken() {
        return "myrt_" + randomText(32);
    }

    /** {@code bytes} random bytes, URL-safe base64 without padding. */
    public static String randomText(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return B64.encodeToString(raw);
    }

    /** A new device id: ten upper-case letters, as Synapse makes them. */
    public static String newDeviceId() {
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_CHARS[RANDOM.nextInt(ID_CHARS.length)];
        }
        return new String(id);
    }

    /** The SHA-256 of a token, which is what the database stores and looks up. */
    public static byte[] hash(String token) {
        try {
            // A clone of one digest: every request hashes its token, and getInstance looks the
            // provider up each time.
            return ((MessageDigest) SHA_256.clone()).digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests cannot be cloned", e);
        }
    }

    private static final MessageDigest SHA_256 = sha256();

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
