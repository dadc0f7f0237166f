package org.myelin.server.client.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig.PasswordHashing;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher(new PasswordHashing(64, 1, 1));

    @Test
    void hashesAreArgon2idPhcStringsWithTheirParameters() {
        String hash = hasher.hash("hunter2");
        assertTrue(hash.matches("\\$argon2id\\$v=19\\$m=64,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash);
    }

    @Test
    void verifiesTheRightPasswordOnly() {
        String hash = hasher.hash("hunter2");
        assertTrue(hasher.verify("hunter2", hash));
        assertFalse(hasher.verify("hunter3", hash));
        assertFalse(hasher.verify("", hash));
        assertFalse(hasher.verify(null, hash));
    }

    @Test
    void saltsEveryHash() {
        assertNotEquals(hasher.hash("same"), hasher.hash("same"));
    }

    @Test
    void verifiesHashesMadeWithOtherParameters() {
        String stronger = new PasswordHasher(new PasswordHashing(256, 2, 2)).hash("pässwörd");
        assertTrue(hasher.verify("pässwörd", stronger));
    }

    @Test
    void verifiesTheReferenceImplementationsArgon2idVector() {
        // phc-winner-argon2 src/test.c: "password", salt "somesalt", t=2, m=2^16, p=1.
        String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertTrue(hasher.verify("password", reference));
        assertFalse(hasher.verify("passwore", reference));
    }

    @Test
    void verifiesBcryptHashesFromOtherServers() {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        String bcrypt = OpenBSDBCrypt.generate("2b", "secret".toCharArray(), salt, 4);
        assertTrue(hasher.verify("secret", bcrypt));
        assertFalse(hasher.verify("Secret", bcrypt));
    }

    @Test
    void noHashAndMalformedHashesMatchNothing() {
        assertFalse(hasher.verify("anything", null));
        assertFalse(hasher.verify("anything", "plain text"));
        assertFalse(hasher.verify("anything", "$argon2id$v=19$m=64,t=1,p=1$!!!$!!!"));
        assertFalse(hasher.verify("anything", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
        assertFalse(hasher.verify("anything", "$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
    }

    @Test
    void atMostTheConfiguredNumberOfHashesRunAtOnceAndAllStillVerify() throws Exception {
        PasswordHasher two = new PasswordHasher(new PasswordHashing(1024, 2, 1, 2));
        List<Future<Boolean>> results = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 10; i++) {
                String password = "password " + i;
                results.add(threads.submit(() -> two.verify(password, two.hash(password))
                        && !two.verify(password + "!", two.hash(password))));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get(), "each hash verifies its own password only");
            }
        }
        assertTrue(two.peakConcurrentHashes() >= 1);
        assertTrue(two.peakConcurrentHashes() <= 2, "peak " + two.peakConcurrentHashes());
    }

    @Test
    void reusedBlocksGiveTheSameHashesAsFreshOnes() {
        // The pooled blocks are cleared between uses: the reference vector still verifies after
        // other hashes went through the same pool, and with a higher cost than the pool was sized for.
        PasswordHasher pooled = new PasswordHasher(new PasswordHashing(64, 1, 1, 1));
        pooled.hash("first");
        String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertTrue(pooled.verify("password", reference));
        assertTrue(pooled.verify("password", reference));
        String again = pooled.hash("second");
        assertTrue(pooled.verify("second", again));
        assertEquals(1, pooled.peakConcurrentHashes());
    }

    @Test
    void keepsItsArgon2BlocksBetweenHashesAndLetsThemGoOnceIdle() {
        Deque<Runnable> later = new ArrayDeque<>();
        PasswordHasher idle = new PasswordHasher(new PasswordHashing(64, 1, 1, 1), later::add);
        assertEquals(0, idle.keptBlocks(), "nothing before the first hash");

        int blocksOfAHash = Argon2BytesGenerator.getBlockCount(64, 1); // its 64 KiB and the working blocks
        String hash = idle.hash("first");
        assertEquals(blocksOfAHash, idle.keptBlocks(), "a hash's blocks, for the next one");
        assertEquals(1, later.size(), "one look at idleness pending");
        assertTrue(idle.verify("first", hash));
        later.poll().run(); // a hash since the look was scheduled: kept, looked at again later
        assertEquals(blocksOfAHash, idle.keptBlocks());
        assertEquals(1, later.size());

        later.poll().run(); // a whole period without a hash
        assertEquals(0, idle.keptBlocks());
        assertTrue(later.isEmpty(), "no look while nothing is kept");

        assertTrue(idle.verify("first", hash), "hashes still verify after the blocks went");
        assertEquals(blocksOfAHash, idle.keptBlocks());
        assertEquals(1, later.size());
    }
}
