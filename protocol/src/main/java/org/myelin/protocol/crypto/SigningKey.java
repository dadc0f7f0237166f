package org.myelin.protocol.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.signature.Ed25519PrivateKey;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.subtle.Ed25519Sign;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;

import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * A server's (or device's) Ed25519 signing key: the 32-byte seed NaCl and Synapse store,
 * with its key id ({@code ed25519:<version>}). Appendices, "Signing JSON".
 *
 * <p>The seed comes from the caller: the protocol module owns no randomness. Like
 * {@link VerifyKey}, the signer is made from Tink's key objects so that Tink signs with Conscrypt
 * when the process has installed it.
 */
public final class SigningKey {

    public static final String ALGORITHM = "ed25519";

    private final String keyId;
    private final byte[] seed;
    private final PublicKeySign signer;
    private final VerifyKey verifyKey;

    private SigningKey(String keyId, byte[] seed) {
        this.keyId = keyId;
        this.seed = seed.clone();
        try {
            byte[] publicKey = Ed25519Sign.KeyPair.newKeyPairFromSeed(seed).getPublicKey();
            Ed25519PublicKey tinkPublic = Ed25519PublicKey.create(Bytes.copyFrom(publicKey));
            // The seed is this key's own secret; "insecure" access is Tink's name for handing raw
            // key bytes to it, which is what loading a key from the server's key file is.
            this.signer = Ed25519Sign.create(Ed25519PrivateKey.create(tinkPublic,
                    SecretBytes.copyFrom(seed, InsecureSecretKeyAccess.get())));
            this.verifyKey = new VerifyKey(keyId, publicKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is unavailable", e);
        }
    }

    /**
     * The key with id {@code ed25519:<version>} made from a 32-byte seed.
     *
     * @param version the part of the key id after {@code ed25519:}, [a-zA-Z0-9_]+
     */
    public static SigningKey fromSeed(String version, byte[] seed) {
        if (seed.length != Ed25519Sign.SECRET_KEY_LEN) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes, not " + seed.length);
        }
        if (version.isEmpty() || !version.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 0x80 || c == '_')) {
            throw new IllegalArgumentException("key version must be [a-zA-Z0-9_]+: " + version);
        }
        return new SigningKey(ALGORITHM + ":" + version, seed);
    }

    /** The key id, such as {@code ed25519:a_bcDE}. */
    public String keyId() {
        return keyId;
    }

    /** The part of the key id after the algorithm. */
    public String version() {
        return keyId.substring(ALGORITHM.length() + 1);
    }

    public byte[] seed() {
        return seed.clone();
    }

    public VerifyKey verifyKey() {
        return verifyKey;
    }

    /** The 64-byte Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        try {
            return signer.sign(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    @Override
    public String toString() {
        // Never the seed.
        return "SigningKey[" + keyId + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey other && keyId.equals(other.keyId) && Arrays.equals(seed, other.seed);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }
}
