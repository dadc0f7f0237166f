package org.myelin.federation.inbound;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** One transaction of an origin at a time, in order; other origins go on meanwhile. */
class OriginTurnsTest {

    @Test
    void anOriginsSecondTransactionWaitsForItsFirstWhileAnotherOriginsRuns() throws Exception {
        OriginTurns turns = new OriginTurns();
        CountDownLatch firstEntered = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> turns.inTurn("slow.example", () -> {
                firstEntered.countDown();
                await(releaseFirst);
                ran.add("first");
                return "first";
            }), threads);
            firstEntered.await();
            CompletableFuture<String> second = CompletableFuture.supplyAsync(
                    () -> turns.inTurn("slow.example", () -> {
                        ran.add("second");
                        return "second";
                    }), threads);
            while (turns.waiting("slow.example") == 0) {
                Thread.onSpinWait();
            }
            String other = turns.inTurn("other.example", () -> "other");

            assertEquals("other", other, "another origin is not held up");
            assertFalse(second.isDone(), "the origin's second transaction waits for its first");
            assertEquals(List.of(), ran);
            releaseFirst.countDown();
            assertEquals("first", first.join());
            assertEquals("second", second.join());
            assertEquals(List.of("first", "second"), ran);
        }
        assertEquals(0, turns.waiting("slow.example"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
