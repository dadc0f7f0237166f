package org.myelin.protocol.crypto;

import com.google.crypto.tink.subtle.Ed25519Sign;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signing with BouncyCastle gives Tink's signatures byte for byte (Ed25519 is deterministic). */
class SigningKeyTest {

    @Test
    void signaturesAreTinksAndVerify() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 50; i++) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            byte[] message = new byte[random.nextInt(2000)];
            random.nextBytes(message);
            SigningKey key = SigningKey.fromSeed("k" + i, seed);
            byte[] signature = key.sign(message);
            assertArrayEquals(new Ed25519Sign(seed).sign(message), signature, "seed " + i);
            assertTrue(key.verifyKey().verify(message, signature));
        }
    }
}
