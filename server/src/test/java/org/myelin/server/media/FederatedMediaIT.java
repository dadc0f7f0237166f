package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.media.MediaIT.download;
import static org.myelin.server.media.MediaIT.errcode;
import static org.myelin.server.media.MediaIT.get;
import static org.myelin.server.media.MediaIT.randomBytes;
import static org.myelin.server.media.MediaIT.uploaded;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Routes;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Media across servers (client-server API, "Content repository"; server-server API, "Content
 * Repository"), on loopback over real TLS: a user of A downloads what a user of B uploaded, as B
 * sent it, through authenticated media; A asks B once, however many ask A and however often;
 * media past A's limit is refused and not kept; an older server that does not know the federation
 * endpoint is asked at the deprecated one; a server that keeps its media elsewhere sends A there.
 */
class FederatedMediaIT {

    /** A's largest media: remote media past it is refused. */
    static final long A_MAX = 1024 * 1024;

    static TestHomeserver a;
    static TestHomeserver b;
    static FakeRemoteServer fake;
    static TestUser alice;
    static TestUser bob;
    static final MediaGate bGate = new MediaGate("/_matrix/federation/v1/media/*");
    static final MediaGate aDownloads = new MediaGate("/_matrix/client/v1/media/download/*");

    @BeforeAll
    static void boot() {
        b = TestHomeserver.builder().routes(Resource.FEDERATION, bGate).start();
        a = TestHomeserver.builder().routes(Resource.MEDIA, aDownloads)
                .configure(c -> c.withMedia(c.media().withMaxUploadSize(A_MAX))).start();
        fake = FakeRemoteServer.start();
        alice = a.registerUser("alice");
        bob = b.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        fake.close();
        a.close();
        b.close();
    }

    @Test
    void aUserOfAnotherServerDownloadsWhatWasUploadedAndItsServerAsksOnce() {
        byte[] bytes = randomBytes(300_000, 1);
        String media = uploaded(b, bob, "image/png", "cat.png", bytes);

        HttpResponse<byte[]> first = download(a, alice, media);
        assertEquals(200, first.statusCode(), () -> new String(first.body(), StandardCharsets.UTF_8));
        assertArrayEquals(bytes, first.body());
        assertEquals("image/png", first.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("inline; filename=cat.png", first.headers().firstValue("Content-Disposition").orElseThrow());

        HttpResponse<byte[]> again = get(a, alice, "/_matrix/client/v1/media/download/" + media + "/other.png", Map.of());
        assertEquals(200, again.statusCode());
        assertArrayEquals(bytes, again.body());
        assertEquals("inline; filename=other.png", again.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals(1, bGate.asked(media), "A asked B once: " + bGate.asked);

        HttpResponse<byte[]> local = get(a, alice, "/_matrix/client/v1/media/download/" + media + "?allow_remote=false",
                Map.of());
        assertEquals(200, local.statusCode(), "cached media is served whatever allow_remote says");
        assertEquals(404, get(a, null, "/_matrix/media/v3/download/" + media, Map.of()).statusCode(),
                "fetched while authenticated media is on: not served without a token");
    }

    @Test
    void concurrentDownloadsOfOneRemoteFileFetchItOnce() throws Exception {
        byte[] bytes = randomBytes(700_000, 2);
        String media = uploaded(b, bob, "video/mp4", "clip.mp4", bytes);
        int before = aDownloads.asked(media);
        int clients = 6;
        bGate.hold();
        List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> download(a, alice, media)));
            }
            // B holds its answer until every client's request has reached A.
            await("every download at A and one at B",
                    () -> aDownloads.asked(media) == before + clients && bGate.asked(media) >= 1);
            bGate.release();
            for (Future<HttpResponse<byte[]>> answer : answers) {
                assertEquals(200, answer.get().statusCode());
                assertArrayEquals(bytes, answer.get().body());
            }
        } finally {
            bGate.release();
        }
        assertEquals(1, bGate.asked(media), "B asked once for " + clients + " downloads: " + bGate.asked);
    }

    @Test
    void remoteMediaLargerThanTheLimitIsRefusedAndNotKept() throws Exception {
        byte[] large = randomBytes((int) A_MAX + 200_000, 3);
        String declared = uploaded(b, bob, "application/zip", "big.zip", large);
        HttpResponse<byte[]> refused = download(a, alice, declared);
        assertEquals(502, refused.statusCode());
        assertEquals("M_TOO_LARGE", errcode(refused));

        // An answer that declares no length is cut off as its bytes pass the limit.
        fake.answerRaw("/_matrix/federation/v1/media/download/chunked", new FakeRemoteServer.RawAnswer(200,
                Map.of("Content-Type", "multipart/mixed; boundary=xyz"),
                multipart("xyz", "Content-Type: application/zip\r\n", large), true));
        HttpResponse<byte[]> cut = download(a, alice, fake.serverName() + "/chunked");
        assertEquals(502, cut.statusCode());
        assertEquals("M_TOO_LARGE", errcode(cut));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(large));
        assertFalse(Files.exists(a.dataDir().resolve("media/sha256").resolve(hash.substring(0, 2))
                .resolve(hash.substring(2, 4)).resolve(hash)), "nothing of it kept");
    }

    @Test
    void anOlderServerIsAskedAtTheDeprecatedEndpoint() {
        byte[] gif = randomBytes(5_000, 4);
        String path = "/_matrix/media/v3/download/" + fake.serverName() + "/";
        for (String mediaId : List.of("unrecognized404", "synapse400", "method405")) {
            fake.answerRaw(path + mediaId, new FakeRemoteServer.RawAnswer(200, Map.of("Content-Type", "image/gif",
                    "Content-Disposition", "attachment; filename*=utf-8''%E2%98%83.gif"), gif, false));
        }
        // unrecognized404: the fake's answer to any path it does not know, 404 M_UNRECOGNIZED.
        fake.answerRaw("/_matrix/federation/v1/media/download/synapse400", new FakeRemoteServer.RawAnswer(400,
                Map.of("Content-Type", "application/json"),
                "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request\"}".getBytes(StandardCharsets.UTF_8),
                false));
        fake.answerRaw("/_matrix/federation/v1/media/download/method405", new FakeRemoteServer.RawAnswer(405,
                Map.of("Content-Type", "text/plain"), "Method Not Allowed".getBytes(StandardCharsets.UTF_8), false));

        for (String mediaId : List.of("unrecognized404", "synapse400", "method405")) {
            HttpResponse<byte[]> r = download(a, alice, fake.serverName() + "/" + mediaId);
            assertEquals(200, r.statusCode(), mediaId + ": " + new String(r.body(), StandardCharsets.UTF_8));
            assertArrayEquals(gif, r.body());
            assertEquals("image/gif", r.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("inline; filename*=utf-8''%E2%98%83.gif",
                    r.headers().firstValue("Content-Disposition").orElseThrow(), "the name the origin gave");
            assertTrue(fake.requestUris().contains(path + mediaId + "?allow_remote=false&timeout_ms=20000"
                    + "&allow_redirect=true"), mediaId + ": " + fake.requestUris());
        }
    }

    @Test
    void aLocationPartSendsTheDownloadWhereTheOriginKeepsTheMedia() {
        byte[] bytes = randomBytes(40_000, 5);
        String cdn = "https://127.0.0.1:" + fake.serverName().split(":")[1] + "/cdn/abc";
        fake.answerRaw("/_matrix/federation/v1/media/download/elsewhere", new FakeRemoteServer.RawAnswer(200,
                Map.of("Content-Type", "multipart/mixed; boundary=b0"),
                multipart("b0", "Location: " + cdn + "\r\n", new byte[0]), false));
        fake.answerRaw("/cdn/abc", new FakeRemoteServer.RawAnswer(200, Map.of("Content-Type", "audio/ogg",
                "Content-Disposition", "inline; filename=\"song.ogg\""), bytes, false));
        HttpResponse<byte[]> r = download(a, alice, fake.serverName() + "/elsewhere");
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertArrayEquals(bytes, r.body());
        assertEquals("audio/ogg", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("inline; filename=song.ogg", r.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void unknownUnreachableAndFailingOriginsAnswerAsSynapse() {
        HttpResponse<byte[]> unknown = download(a, alice, b.serverName() + "/NoSuchMedia");
        assertEquals(404, unknown.statusCode());
        assertEquals("M_NOT_FOUND", errcode(unknown));

        HttpResponse<byte[]> gone = download(a, alice, "127.0.0.1:" + TestHomeserver.freePort() + "/abc");
        assertEquals(502, gone.statusCode());
        assertEquals("M_UNKNOWN", errcode(gone));

        try (FakeRemoteServer failing = FakeRemoteServer.start()) { // its failure backs it off: a server of its own
            failing.answerRaw("/_matrix/federation/v1/media/download/broken", new FakeRemoteServer.RawAnswer(500,
                    Map.of("Content-Type", "application/json"),
                    "{\"errcode\":\"M_UNKNOWN\",\"error\":\"oops\"}".getBytes(StandardCharsets.UTF_8), false));
            HttpResponse<byte[]> broken = download(a, alice, failing.serverName() + "/broken");
            assertEquals(502, broken.statusCode());
            assertEquals("M_UNKNOWN", errcode(broken));
        }

        String notFetched = uploaded(b, bob, "text/plain", "a.txt", "hi".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> noRemote = get(a, alice, "/_matrix/client/v1/media/download/" + notFetched
                + "?allow_remote=false", Map.of());
        assertEquals(404, noRemote.statusCode());
        assertEquals("M_NOT_FOUND", errcode(noRemote));
        assertEquals(0, bGate.asked(notFetched), "allow_remote=false asks nobody");
    }

    @Test
    void theDeprecatedDownloadFetchesRemoteMediaWhileAuthenticatedMediaIsOff() {
        byte[] bytes = randomBytes(10_000, 6);
        String media = uploaded(b, bob, "image/webp", "old.webp", bytes);
        try (TestHomeserver old = TestHomeserver.builder()
                .configure(c -> c.withMedia(c.media().withEnableAuthenticatedMedia(false))).start()) {
            HttpResponse<byte[]> r = get(old, null, "/_matrix/media/v3/download/" + media, Map.of());
            assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
            assertArrayEquals(bytes, r.body());
            assertEquals("inline; filename=old.webp", r.headers().firstValue("Content-Disposition").orElseThrow());
        }
        HttpResponse<byte[]> frozen = get(a, null, "/_matrix/media/v3/download/" + media, Map.of());
        assertEquals(404, frozen.statusCode(), "with authenticated media on, the deprecated endpoint fetches nothing");
        assertEquals(1, bGate.asked(media), "only the server with authenticated media off asked B");
    }

    @Test
    void theSsrfGuardKeepsDownloadsOffLoopbackAndPrivateAddresses() {
        String media = uploaded(b, bob, "image/png", "guarded.png", randomBytes(1_000, 7));
        try (TestHomeserver guarded = TestHomeserver.builder().configure(c -> {
            HomeserverConfig.Federation f = c.federation();
            return c.withFederation(new HomeserverConfig.Federation(f.tlsSelfSignedDev(), f.trustedCaPaths(),
                    f.allowInsecureSelfSigned(), List.of(), f.notaryServers(), f.keyValidityMs(),
                    f.backoffInitialMs(), f.backoffMaxMs(), f.requestTimeoutMs()));
        }).start()) {
            TestUser carol = guarded.registerUser("carol");
            HttpResponse<byte[]> refused = download(guarded, carol, media);
            assertEquals(502, refused.statusCode());
            assertEquals("M_UNKNOWN", errcode(refused));
        }
        assertEquals(0, bGate.asked(media), "B was never asked: the guard refused its loopback address");
    }

    // ---- helpers ----

    /** A body framed as the federation media endpoint frames it: {@code {}}, then a part with {@code headers}. */
    static byte[] multipart(String boundary, String headers, byte[] media) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Type: application/json\r\n\r\n{}\r\n--" + boundary + "\r\n"
                + headers + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(media);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("never happened: " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Records the requests a listener receives on {@code pattern}, and holds them while asked to
     * (as a slow server would), first of all its routes.
     */
    static final class MediaGate implements Routes {
        private final String pattern;
        final List<String> asked = new CopyOnWriteArrayList<>();
        private volatile CountDownLatch held;

        MediaGate(String pattern) {
            this.pattern = pattern;
        }

        void hold() {
            held = new CountDownLatch(1);
        }

        void release() {
            CountDownLatch h = held;
            held = null;
            if (h != null) {
                h.countDown();
            }
        }

        /** How many requests named {@code media} ({@code server/mediaId}, or only its media id). */
        int asked(String media) {
            String mediaId = media.substring(media.lastIndexOf('/') + 1);
            AtomicInteger n = new AtomicInteger();
            asked.forEach(uri -> {
                String path = uri.split("\\?")[0];
                if (path.endsWith("/" + mediaId) || path.contains("/" + mediaId + "/")) {
                    n.incrementAndGet();
                }
            });
            return n.get();
        }

        @Override
        public void mount(Router router, Handlers handlers) {
            router.route(pattern).order(-1).handler(ctx -> {
                asked.add(ctx.request().uri());
                CountDownLatch h = held;
                if (h == null) {
                    ctx.next();
                    return;
                }
                Context context = Vertx.currentContext();
                Thread.ofVirtual().start(() -> {
                    try {
                        h.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    context.runOnContext(v -> ctx.next());
                });
            });
        }
    }
}
