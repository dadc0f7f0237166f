package org.myelin.server.client.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.myelin.server.config.HomeserverConfig.PasswordHashing;

/**
 * Password hashes: Argon2id (RFC 9106) in the PHC string format
 * {@code $argon2id$v=19$m=…,t=…,p=…$salt$hash}, verified in constant time. bcrypt hashes
 * ({@code $2a$}, {@code $2b$}, {@code $2y$}, as imported from other servers) are verified too.
 *
 * <p>Hashing is deliberately expensive CPU and memory work. It runs on the calling (virtual)
 * thread, but at most {@code concurrency} at once (half the cores by default), so that logins
 * cannot occupy every carrier thread and stall the other requests, and a burst of logins does
 * not take {@code memory_kib} of heap each. The 1 KiB Argon2 blocks come from one pool sized
 * for {@code concurrency} hashes of the configured cost, so steady logins reuse them instead of
 * allocating (and collecting) 32 MiB per hash; a stored hash of a higher cost allocates the rest.
 * The pool lets its blocks go 10 to 20 s after the last hash ({@link Argon2Blocks}): logins come
 * in bursts (a morning, a client's reconnection), and an idle server should not keep 32 MiB for them.
 */
public final class PasswordHasher {

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    /** How long the Argon2 blocks are kept without a hash before they are let go (up to twice that). */
    private static final long BLOCKS_IDLE_SECONDS = 10;

    private final PasswordHashing params;
    private final SecureRandom random = new SecureRandom();
    private final Semaphore permits;
    private final Argon2Blocks blocks;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peakRunning = new AtomicInteger();
    /** A hash to verify against when the account does not exist, so that timing does not tell; made on first need. */
    private volatile String dummyHash;

    public PasswordHasher(PasswordHashing params) {
        this(params, CompletableFuture.delayedExecutor(BLOCKS_IDLE_SECONDS, TimeUnit.SECONDS));
    }

    /** @param afterIdlePeriod runs a task once the Argon2 blocks have been kept a while (tests run it at will) */
    PasswordHasher(PasswordHashing params, Executor afterIdlePeriod) {
        this.params = params;
        this.permits = new Semaphore(params.concurrency());
        this.blocks = new Argon2Blocks(
                params.concurrency() * Argon2BytesGenerator.getBlockCount(params.memoryKib(), params.parallelism()),
                afterIdlePeriod);
    }

    /** How many Argon2 blocks are kept for the next hashes. */
    int keptBlocks() {
        return blocks.keptCount();
    }

    /** The most hashes that have run at once, for tests of the bound. */
    int peakConcurrentHashes() {
        return peakRunning.get();
    }

    /** A new hash of {@code password} with a random salt and the configured cost. */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = argon2(password, salt, params.memoryKib(), params.iterations(), params.parallelism(), HASH_BYTES);
        return "$argon2id$v=19$m=" + params.memoryKib() + ",t=" + params.iterations() + ",p=" + params.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * Whether {@code password} matches {@code storedHash}. A null hash (no password set)
     * matches nothing but costs as much as a real check.
     */
    public boolean verify(String password, String storedHash) {
        if (password == null) {
            return false;
        }
        if (storedHash == null) {
            String dummy = dummyHash;
            if (dummy == null) {
                dummy = hash("not a password of anyone");
                dummyHash = dummy;
            }
            verifyArgon2(password, dummy);
            return false;
        }
        if (storedHash.startsWith("$2a$") || storedHash.startsWith("$2b$") || storedHash.startsWith("$2y$")) {
            return bounded(() -> OpenBSDBCrypt.checkPassword(storedHash, password.toCharArray()));
        }
        return verifyArgon2(password, storedHash);
    }

    private boolean verifyArgon2(String password, String phc) {
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        String[] parts = phc.split("\\$");
        if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
            return false;
        }
        int m = -1;
        int t = -1;
        int p = -1;
        for (String kv : parts[3].split(",")) {
            String[] pair = kv.split("=", 2);
            if (pair.length != 2) {
                return false;
            }
            int value;
            try {
                value = Integer.parseInt(pair[1]);
            } catch (NumberFormatException e) {
                return false;
            }
            switch (pair[0]) {
                case "m" -> m = value;
                case "t" -> t = value;
                case "p" -> p = value;
                default -> {
                    return false;
                }
            }
        }
        if (m < 8 || t < 1 || p < 1) {
            return false;
        }
        byte[] salt;
        byte[] expected;
        try {
            salt = B64D.decode(parts[4]);
            expected = B64D.decode(parts[5]);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] actual = argon2(password, salt, m, t, p, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    private byte[] argon2(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .withBlockPool(blocks)
                .build();
        return bounded(() -> {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(parameters);
            byte[] out = new byte[length];
            generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
            return out;
        });
    }

    private interface Work<T> {
        T run();
    }

    private <T> T bounded(Work<T> work) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to hash a password", e);
        }
        peakRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            return work.run();
        } finally {
            running.decrementAndGet();
            permits.release();
        }
    }
}
