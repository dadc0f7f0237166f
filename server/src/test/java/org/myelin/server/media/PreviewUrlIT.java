package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.media.MediaIT.download;
import static org.myelin.server.media.MediaIT.get;
import static org.myelin.server.media.MediaIT.json;
import static org.myelin.server.media.ThumbnailIT.encode;
import static org.myelin.server.media.ThumbnailIT.stripes;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * URL previews ({@code GET /_matrix/client/v1/media/preview_url}) of pages served by a small HTTP
 * server on loopback: Open Graph tags read, a page without them described by its title, meta
 * description and first image, the image fetched, kept and served as media of this server, a
 * page that is an image, redirects followed, pages past {@code max_spider_size} refused, blocked
 * URLs refused; answers kept, so asking again fetches nothing, even after a restart. A server
 * without loopback in {@code ip_allowlist} refuses to fetch from it (a host name that resolves
 * there included, and a redirect that leads there), and previews are off by default.
 */
class PreviewUrlIT {

    private static final long SPIDER_LIMIT = 64 * 1024;
    private static final byte[] PNG = encode(stripes(120, 80, Color.RED, Color.BLUE), "png");
    private static final byte[] PHOTO = encode(stripes(64, 48, Color.GREEN), "png");

    static HttpServer site;
    static String base;
    static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    static TestHomeserver hs;
    static TestHomeserver guarded;
    static TestHomeserver off;
    static TestUser alice;

    @BeforeAll
    static void boot() throws IOException {
        site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        site.createContext("/", PreviewUrlIT::serve);
        site.start();
        base = "http://127.0.0.1:" + site.getAddress().getPort();
        hs = TestHomeserver.builder().configure(c -> c.withMedia(c.media().withUrlPreview(
                HomeserverConfig.UrlPreview.DISABLED.enabledWith(List.of("127.0.0.1/32"))
                        .withMaxSpiderSize(SPIDER_LIMIT)
                        .withUrlBlocklist(List.of(Map.of("path", "/private*")))))).start();
        guarded = TestHomeserver.builder().configure(c -> c.withMedia(c.media().withUrlPreview(
                HomeserverConfig.UrlPreview.DISABLED.enabledWith(List.of())))).start();
        off = TestHomeserver.start();
        alice = hs.registerUser("alice");
    }

    @AfterAll
    static void stop() {
        off.close();
        guarded.close();
        hs.close();
        site.stop(0);
    }

    @Test
    void openGraphTagsAreReadAndTheImageIsKeptAsMedia() {
        JsonNode og = preview(hs, alice, base + "/article");
        assertEquals("A cat's day", og.path("og:title").asText());
        assertEquals("What a cat does all day.", og.path("og:description").asText());
        assertEquals("article", og.path("og:type").asText());
        assertEquals("https://example.org/article", og.path("og:url").asText());
        assertEquals("Alice", og.path("article:author").asText());
        assertEquals("image/png", og.path("og:image:type").asText());
        assertEquals(PNG.length, og.path("matrix:image:size").asLong());
        assertEquals(120, og.path("og:image:width").asInt());
        assertEquals(80, og.path("og:image:height").asInt());
        String image = og.path("og:image").asText();
        assertTrue(image.startsWith("mxc://" + hs.serverName() + "/"), image);
        HttpResponse<byte[]> served = download(hs, alice, image.substring("mxc://".length()));
        assertEquals(200, served.statusCode());
        assertArrayEquals(PNG, served.body());

        JsonNode legacy = json(get(hs, alice, "/_matrix/media/v3/preview_url?url=" + TestHomeserver.enc(base
                + "/article"), Map.of()));
        assertEquals(og, legacy, "the deprecated endpoint answers the same, from the cache");
        assertEquals(1, hits("/article"), "fetched once");
        assertEquals(1, hits("/cat.png"));
    }

    @Test
    void aPageWithoutOpenGraphIsDescribedByItsTitleDescriptionAndFirstImage() {
        JsonNode og = preview(hs, alice, base + "/plain");
        assertEquals("Plain title", og.path("og:title").asText());
        assertEquals("A page about nothing much.", og.path("og:description").asText());
        String image = og.path("og:image").asText();
        assertTrue(image.startsWith("mxc://"), og.toString());
        assertArrayEquals(PNG, download(hs, alice, image.substring("mxc://".length())).body());

        JsonNode prose = preview(hs, alice, base + "/prose");
        assertEquals("Heading", prose.path("og:title").asText(), "the first heading, without a title");
        String description = prose.path("og:description").asText();
        assertTrue(description.contains("First paragraph of the article.\n\nSecond one."), prose.toString());
        assertFalse(description.contains("menu") || description.contains("var x"), "navigation and scripts are not prose");
        assertFalse(prose.has("og:image"));
    }

    @Test
    void aPageThatIsAnImageIsPreviewedAsThatImage() {
        JsonNode og = preview(hs, alice, base + "/photo.png");
        assertEquals("image/png", og.path("og:image:type").asText());
        assertEquals(PHOTO.length, og.path("matrix:image:size").asLong());
        assertEquals(64, og.path("og:image:width").asInt());
        assertArrayEquals(PHOTO, download(hs, alice, og.path("og:image").asText().substring("mxc://".length())).body());
    }

    @Test
    void redirectsAreFollowed() {
        JsonNode og = preview(hs, alice, base + "/moved");
        assertEquals("Redirected here", og.path("og:title").asText());
    }

    @Test
    void pagesPastTheLimitErrorsAndBlockedUrlsAreRefused() {
        for (String path : List.of("/big", "/big-chunked")) {
            HttpResponse<byte[]> r = previewResponse(hs, alice, base + path);
            assertEquals(502, r.statusCode(), path);
            assertEquals("M_TOO_LARGE", MediaIT.errcode(r), path);
        }
        HttpResponse<byte[]> missing = previewResponse(hs, alice, base + "/missing");
        assertEquals(502, missing.statusCode());
        assertEquals("M_UNKNOWN", MediaIT.errcode(missing));
        HttpResponse<byte[]> pdf = previewResponse(hs, alice, base + "/doc.pdf");
        assertEquals(502, pdf.statusCode(), "not a type previewed");

        HttpResponse<byte[]> blocked = previewResponse(hs, alice, base + "/private/page");
        assertEquals(403, blocked.statusCode());
        assertEquals(0, hits("/private/page"));

        assertEquals(400, previewResponse(hs, alice, "ftp://127.0.0.1/file").statusCode());
        assertEquals(400, previewResponse(hs, alice, "not a url").statusCode());
        HttpResponse<byte[]> noUrl = get(hs, alice, "/_matrix/client/v1/media/preview_url", Map.of());
        assertEquals(400, noUrl.statusCode());
        assertEquals("M_MISSING_PARAM", MediaIT.errcode(noUrl));
        assertEquals(400, get(hs, alice, "/_matrix/client/v1/media/preview_url?url=" + TestHomeserver.enc(base
                + "/article") + "&ts=soon", Map.of()).statusCode());
        assertEquals(401, get(hs, null, "/_matrix/client/v1/media/preview_url?url=" + TestHomeserver.enc(base
                + "/article"), Map.of()).statusCode());
    }

    @Test
    void loopbackIsRefusedWithoutTheAllowlistWhateverNamesIt() {
        TestUser bob = guarded.registerUser("bob");
        int port = site.getAddress().getPort();
        int before = hits("/guarded");
        for (String url : List.of("http://127.0.0.1:" + port + "/guarded", "http://localhost:" + port + "/guarded",
                "http://[::1]:" + port + "/guarded")) {
            HttpResponse<byte[]> r = previewResponse(guarded, bob, url);
            assertEquals(502, r.statusCode(), url);
            assertEquals("M_UNKNOWN", MediaIT.errcode(r), url);
        }
        assertEquals(before, hits("/guarded"), "never connected");

        // Allowed 127.0.0.1, a redirect to another loopback address is checked again and refused.
        HttpResponse<byte[]> redirected = previewResponse(hs, alice, base + "/elsewhere");
        assertEquals(502, redirected.statusCode());
        assertEquals(1, hits("/elsewhere"));
    }

    @Test
    void previewsAreOffByDefault() {
        TestUser carol = off.registerUser("carol");
        HttpResponse<byte[]> r = previewResponse(off, carol, base + "/article-off");
        assertEquals(403, r.statusCode());
        assertEquals("M_FORBIDDEN", MediaIT.errcode(r));
        assertEquals(0, hits("/article-off"));
    }

    @Test
    void answersAreKeptSoAskingAgainFetchesNothingEvenAfterARestart() {
        JsonNode first = preview(hs, alice, base + "/kept");
        preview(hs, alice, base + "/kept");
        assertEquals(1, hits("/kept"));
        hs.restart();
        assertEquals(first, preview(hs, alice, base + "/kept"), "from the database");
        assertEquals(1, hits("/kept"), "not fetched again");
    }

    // ---- the site previewed ----

    private static void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        switch (path) {
            case "/article", "/article-off" -> html(exchange, """
                    <html><head><title>Not this title</title>
                    <meta property="og:title" content="A cat's day">
                    <meta property="og:description" content="What a cat does all day.">
                    <meta property="og:type" content="article">
                    <meta property="og:url" content="https://example.org/article">
                    <meta property="og:image" content="/cat.png">
                    <meta property="article:author" content="Alice">
                    </head><body><p>Text</p></body></html>""");
            case "/plain" -> html(exchange, """
                    <html><head><title>Plain title</title>
                    <meta name="description" content="A page about nothing much.">
                    </head><body><h1>Other</h1><img src="plain.png"><img src="/other.png"></body></html>""");
            case "/prose" -> html(exchange, """
                    <html><body><nav>menu menu menu</nav><h1>Heading</h1>
                    <p>First paragraph of the article.</p><p>Second one.</p><script>var x = 1;</script>
                    </body></html>""");
            case "/kept" -> html(exchange, "<html><head><title>Kept</title></head><body>kept</body></html>");
            case "/redirected" -> html(exchange, "<html><head><title>Redirected here</title></head></html>");
            case "/moved" -> redirect(exchange, "/redirected");
            case "/elsewhere" -> redirect(exchange, "http://127.0.0.2:" + site.getAddress().getPort() + "/article");
            case "/cat.png", "/plain.png" -> send(exchange, "image/png", PNG, true);
            case "/photo.png" -> send(exchange, "image/png", PHOTO, true);
            case "/doc.pdf" -> send(exchange, "application/pdf", new byte[100], true);
            case "/big" -> send(exchange, "text/html", new byte[(int) SPIDER_LIMIT + 1_000], true);
            case "/big-chunked" -> send(exchange, "text/html", new byte[(int) SPIDER_LIMIT * 3], false);
            default -> send(exchange, "text/plain", "not found".getBytes(StandardCharsets.UTF_8), true, 404);
        }
    }

    private static void html(HttpExchange exchange, String page) throws IOException {
        send(exchange, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8), true);
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private static void send(HttpExchange exchange, String type, byte[] body, boolean declared) throws IOException {
        send(exchange, type, body, declared, 200);
    }

    private static void send(HttpExchange exchange, String type, byte[] body, boolean declared, int status)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, declared ? body.length : 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException e) {
            // The preview stopped reading: what it refuses.
        }
        exchange.close();
    }

    private static int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    // ---- helpers ----

    private static HttpResponse<byte[]> previewResponse(TestHomeserver server, TestUser user, String url) {
        return get(server, user, "/_matrix/client/v1/media/preview_url?url=" + TestHomeserver.enc(url), Map.of());
    }

    private static JsonNode preview(TestHomeserver server, TestUser user, String url) {
        HttpResponse<byte[]> r = previewResponse(server, user, url);
        assertEquals(200, r.statusCode(), () -> url + ": " + new String(r.body(), StandardCharsets.UTF_8));
        return json(r);
    }
}
