package org.myelin.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.TestHomeserver;

/**
 * Blocking handlers do not queue behind each other nor block the event loop (DESIGN.md,
 * Stack). A correctness test of concurrency with generous margins, not a benchmark.
 */
class ConcurrencyIT {

    private static final long SLEEP_MS = 1000;
    private static TestHomeserver hs;

    record Where(boolean virtual) {}

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder()
                .routes(Resource.CLIENT, (router, handlers) -> router.get("/_test/slow").handler(handlers.blocking(ctx -> {
                    Thread.sleep(SLEEP_MS); // stands for a slow JDBC call
                    return JsonResponse.ok(new Where(Thread.currentThread().isVirtual()));
                })))
                .start();
        hs.get("/_matrix/client/versions"); // warm up the connection pool and the JIT
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @Test
    void twoSlowRequestsFinishTogether() {
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 2)
                .mapToObj(i -> hs.http().sendAsync(HttpRequest.newBuilder(hs.clientUri("/_test/slow")).build(),
                        HttpResponse.BodyHandlers.ofString()))
                .toList();
        // While both sleep, the event loop still answers other requests at once.
        long fastStart = System.nanoTime();
        assertEquals(200, hs.get("/_matrix/client/versions").statusCode());
        long fastMs = (System.nanoTime() - fastStart) / 1_000_000;

        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> response = call.join();
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("{\"virtual\":true}", response.body(), "handlers run on virtual threads");
        }
        long totalMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(totalMs < 1800, "two 1s requests took " + totalMs + "ms together: they ran one after the other");
        assertTrue(fastMs < SLEEP_MS, "a fast request waited " + fastMs + "ms behind the slow ones");
    }
}
