package org.myelin.bench.e2ee;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;

/** Set-up work (registrations, uploads, joins) on a few virtual threads at once; results in index order. */
public final class InParallel {

    private InParallel() {
    }

    public static <T> List<T> map(int count, int atOnce, IntFunction<T> task) {
        Semaphore permits = new Semaphore(atOnce);
        List<Future<T>> futures = new ArrayList<>(count);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    permits.acquire();
                    try {
                        return task.apply(n);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<T> results = new ArrayList<>(count);
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            throw new IllegalStateException("set-up failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
