package org.myelin.server.keys;

import org.myelin.protocol.crypto.SigningKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyStoreTest {

    @TempDir
    Path dir;

    @Test
    void generatesOnceInSynapseFormatAndLoadsTheSameKeyAfter() throws IOException {
        Path file = dir.resolve("sub/signing.key");
        SigningKey created = SigningKeyStore.loadOrCreate(file, new SecureRandom());
        String text = Files.readString(file);
        assertTrue(text.matches("ed25519 [A-Za-z0-9]{6} [A-Za-z0-9+/]{43}\n"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("ed25519:" + text.split(" ")[1], created.keyId());

        SigningKey loaded = SigningKeyStore.loadOrCreate(file, new SecureRandom());
        assertEquals(created, loaded);
        assertFalse(loaded.toString().contains(text.split(" ")[2].strip()), "toString hides the seed");
    }

    @Test
    void readsAKeyWrittenBySynapse() throws IOException {
        // A Synapse signing key file (seed of 32 zero bytes, version a_abcd).
        Path file = Files.writeString(dir.resolve("synapse.signing.key"),
                "ed25519 a_abcd AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
        SigningKey key = SigningKeyStore.loadOrCreate(file, new SecureRandom());
        assertEquals("ed25519:a_abcd", key.keyId());
        assertEquals(32, key.seed().length);
    }

    @Test
    void malformedFileIsReportedNotReplaced() throws IOException {
        Path file = Files.writeString(dir.resolve("signing.key"), "not a key\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SigningKeyStore.loadOrCreate(file, new SecureRandom()));
        assertTrue(e.getMessage().contains("is malformed"), e.getMessage());
        assertEquals("not a key\n", Files.readString(file));
    }
}
