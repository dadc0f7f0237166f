package org.myelin.server.client.auth;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;

/**
 * The 1 KiB blocks that Argon2 hashes work in, kept between hashes so that steady logins
 * allocate none (the default cost is 32 MiB a hash), and dropped once no hash has used them for
 * a whole idle period, so that a server nobody is logging in to keeps no memory for hashing.
 *
 * <p>Idleness is counted, not timed: each use counts, and a look every idle period drops the
 * blocks when the count has not moved since the previous look (so between one and two periods
 * after the last hash). No look is pending while no block is kept.
 */
final class Argon2Blocks implements Argon2BytesGenerator.BlockPool {

    private final int maxKept;
    private final Executor afterIdlePeriod;
    private ArrayDeque<Argon2BytesGenerator.Block> kept = new ArrayDeque<>();
    private long uses;
    private long usesAtLastLook;
    private boolean lookPending;

    /**
     * @param maxKept         the most blocks kept (what {@code concurrency} hashes of the configured cost use)
     * @param afterIdlePeriod runs a task one idle period from now
     */
    Argon2Blocks(int maxKept, Executor afterIdlePeriod) {
        this.maxKept = maxKept;
        this.afterIdlePeriod = afterIdlePeriod;
    }

    @Override
    public synchronized Argon2BytesGenerator.Block allocate() {
        uses++;
        Argon2BytesGenerator.Block block = kept.pollLast();
        return block != null ? block : new Argon2BytesGenerator.Block();
    }

    /** Takes back a block the generator has cleared. */
    @Override
    public void deallocate(Argon2BytesGenerator.Block block) {
        synchronized (this) {
            uses++;
            if (kept.size() < maxKept) {
                kept.addLast(block);
            }
            if (lookPending) {
                return;
            }
            lookPending = true;
            usesAtLastLook = uses;
        }
        afterIdlePeriod.execute(this::dropIfIdle);
    }

    private void dropIfIdle() {
        synchronized (this) {
            if (uses == usesAtLastLook) {
                kept = new ArrayDeque<>(); // the old one's array too: it held a reference per block
                lookPending = false;
                return;
            }
            usesAtLastLook = uses;
        }
        afterIdlePeriod.execute(this::dropIfIdle);
    }

    /** How many blocks are kept now. */
    synchronized int keptCount() {
        return kept.size();
    }
}
