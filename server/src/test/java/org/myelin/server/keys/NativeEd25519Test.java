package org.myelin.server.keys;

import com.google.crypto.tink.subtle.Ed25519Sign;
import com.google.crypto.tink.subtle.Ed25519Verify;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.crypto.VerifyKey;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With Conscrypt installed, keys sign and check exactly as the spec's vectors and Tink's
 * pure-Java code do: a peer cannot tell which one made a signature.
 */
class NativeEd25519Test {

    static final byte[] SPEC_SEED = UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");

    @BeforeAll
    static void install() {
        // CI and these machines are linux x86_64, for which Conscrypt ships its library; a build
        // that silently fell back to pure Java would lose the join and inbound figures.
        assertTrue(NativeEd25519.install(), "Conscrypt should load on this platform");
        assertTrue(NativeEd25519.install(), "install is idempotent");
    }

    @Test
    void signsTheSpecVectorForTheEmptyObject() {
        SigningKey key = SigningKey.fromSeed("1", SPEC_SEED);
        byte[] signature = key.sign("{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ",
                UnpaddedBase64.encode(signature));
        assertTrue(key.verifyKey().verify("{}".getBytes(StandardCharsets.UTF_8), signature));
    }

    @Test
    void agreesWithTinksPureJavaCodeBothWays() throws GeneralSecurityException {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            byte[] message = new byte[random.nextInt(2000)];
            random.nextBytes(message);
            SigningKey key = SigningKey.fromSeed("k" + i, seed);
            byte[] pureJavaSignature = new Ed25519Sign(seed).sign(message);

            byte[] signature = key.sign(message);
            assertArrayEquals(pureJavaSignature, signature, "Ed25519 is deterministic");
            new Ed25519Verify(key.verifyKey().publicKey()).verify(signature, message);
            assertTrue(key.verifyKey().verify(message, pureJavaSignature));
        }
    }

    @Test
    void refusesWhatItShould() {
        SigningKey key = SigningKey.fromSeed("1", SPEC_SEED);
        byte[] message = "{\"one\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] signature = key.sign(message);
        VerifyKey verifyKey = key.verifyKey();

        byte[] otherMessage = "{\"one\":2}".getBytes(StandardCharsets.UTF_8);
        assertFalse(verifyKey.verify(otherMessage, signature));
        for (int bit : new int[] {0, 100, 255, 256, 511}) {
            byte[] flipped = signature.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(verifyKey.verify(message, flipped), "bit " + bit);
        }
        assertFalse(verifyKey.verify(message, new byte[64]));
        assertFalse(verifyKey.verify(message, java.util.Arrays.copyOf(signature, 63)));
        // S = L (the group order) added to a valid S is the classic malleability; both refuse it.
        byte[] malleable = signature.clone();
        byte[] order = {(byte) 0xed, (byte) 0xd3, (byte) 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, (byte) 0xd6, (byte) 0x9c,
                (byte) 0xf7, (byte) 0xa2, (byte) 0xde, (byte) 0xf9, (byte) 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0x10};
        int carry = 0;
        for (int i = 0; i < 32; i++) {
            int sum = (malleable[32 + i] & 0xff) + (order[i] & 0xff) + carry;
            malleable[32 + i] = (byte) sum;
            carry = sum >> 8;
        }
        assertFalse(verifyKey.verify(message, malleable));
        SigningKey other = SigningKey.fromSeed("2", new byte[32]);
        assertFalse(other.verifyKey().verify(message, signature));
    }
}
