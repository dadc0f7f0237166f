package org.myelin.protocol.auth;

import org.myelin.protocol.crypto.SigningKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One deterministic Ed25519 key per test server name (seed: SHA-256 of the name). */
final class TestKeys {

    private static final Map<String, SigningKey> KEYS = new ConcurrentHashMap<>();

    private TestKeys() {
    }

    static SigningKey of(String server) {
        return KEYS.computeIfAbsent(server, name -> {
            try {
                byte[] seed = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
                return SigningKey.fromSeed("1", seed);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
