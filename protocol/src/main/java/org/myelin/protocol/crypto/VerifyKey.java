package org.myelin.protocol.crypto;

import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.subtle.Ed25519Verify;
import com.google.crypto.tink.util.Bytes;
import org.myelin.protocol.base64.UnpaddedBase64;

import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * A public Ed25519 key that checks signatures, with its key id. Published by servers under
 * {@code verify_keys} ("Retrieving server keys") as unpadded base64.
 *
 * <p>Made through Tink's key objects rather than its raw-bytes constructor, so that Tink checks
 * with Conscrypt (BoringSSL) when the process has installed that provider, about three times
 * faster than its pure-Java code and without its garbage, and falls back to the pure-Java code
 * when it has not. Which provider is installed is the process's choice, not this module's.
 */
public final class VerifyKey {

    private final String keyId;
    private final byte[] publicKey;
    private final PublicKeyVerify verifier;

    public VerifyKey(String keyId, byte[] publicKey) {
        if (publicKey.length != Ed25519Verify.PUBLIC_KEY_LEN) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, not " + publicKey.length);
        }
        this.keyId = keyId;
        this.publicKey = publicKey.clone();
        try {
            this.verifier = Ed25519Verify.create(Ed25519PublicKey.create(Bytes.copyFrom(this.publicKey)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is unavailable", e);
        }
    }

    /** A key as published: id and unpadded base64 public key. */
    public static VerifyKey fromBase64(String keyId, String base64) {
        return new VerifyKey(keyId, UnpaddedBase64.decode(base64));
    }

    public String keyId() {
        return keyId;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The public key in unpadded base64, as {@code verify_keys} publishes it. */
    public String publicKeyBase64() {
        return UnpaddedBase64.encode(publicKey);
    }

    /** Whether {@code signature} is this key's signature of {@code message}. */
    public boolean verify(byte[] message, byte[] signature) {
        if (signature.length != Ed25519Verify.SIGNATURE_LEN) {
            return false;
        }
        try {
            verifier.verify(signature, message);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifyKey other && keyId.equals(other.keyId) && Arrays.equals(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode() * 31 + Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "VerifyKey[" + keyId + " " + publicKeyBase64() + "]";
    }
}
