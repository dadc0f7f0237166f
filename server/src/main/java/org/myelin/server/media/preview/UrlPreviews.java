package org.myelin.server.media.preview;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.myelin.federation.discovery.AddressResolver;
import org.myelin.federation.discovery.OutboundGuard;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.MxcUri;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.id.UserId;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;
import org.myelin.server.media.thumbnail.ImageProbe;
import org.myelin.server.media.thumbnail.SourceImage;
import org.myelin.storage.media.ContentCollector;
import org.myelin.storage.media.ContentTooLargeException;
import org.myelin.storage.media.LocalMedia;
import org.myelin.storage.media.MediaRepository;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.StoredContent;
import org.myelin.storage.media.UrlPreviewRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * URL previews (client-server API, {@code GET /_matrix/client/v1/media/preview_url}), made as
 * Synapse makes them: the page is fetched ({@link PageFetcher}, through the SSRF guard), its Open
 * Graph data read ({@link OpenGraph}), and its image fetched too and kept as media of this
 * server, so that {@code og:image} is an {@code mxc://} URI (with {@code matrix:image:size} and
 * its dimensions); a page that is an image is previewed as that image. oEmbed is not used.
 *
 * <p>Each answer is kept an hour: in memory by URL, and in the database by URL and time, so that
 * a request's {@code ts} finds the answer of its time and a restart fetches nothing again.
 * Concurrent requests for one URL share one fetch. Failures are not kept (Synapse keeps them an
 * hour in memory, which makes a passing failure last).
 */
public final class UrlPreviews implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UrlPreviews.class);
    /** How long an answer is valid (Synapse's). */
    static final long VALID_MS = 3_600_000L;
    /** How long one fetch of a page or image may take, redirects included. */
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);
    /** Longer keys or values are left out of an answer (Synapse's limits). */
    private static final int MAX_KEY_LENGTH = 50;
    private static final int MAX_VALUE_LENGTH = 1000;

    /** Where previews keep what they fetch. */
    public record Parts(MediaStore store, MediaRepository media, UrlPreviewRepository answers,
                        ContentCollector contents) {}

    private final Parts parts;
    private final HomeserverConfig.UrlPreview config;
    private final ServerName serverName;
    private final boolean authenticatedMedia;
    private final Clock clock;
    private final UrlBlocklist blocklist;
    private final SecureRandom random = new SecureRandom();
    /** Answers made in the last hour, by URL; failures are not kept. */
    private final Cache<String, String> recent = Caffeine.newBuilder().recordStats()
            .expireAfterWrite(Duration.ofMillis(VALID_MS))
            .maximumSize(10_000)
            .build();
    /** The answers being made, which other requests for the same URL wait for. */
    private final ConcurrentHashMap<String, CompletableFuture<String>> making = new ConcurrentHashMap<>();
    private final AtomicReference<PageFetcher> fetcher = new AtomicReference<>();

    public UrlPreviews(Parts parts, HomeserverConfig.Media media, ServerName serverName, Clock clock) {
        this.parts = parts;
        this.config = media.urlPreview();
        this.serverName = serverName;
        this.authenticatedMedia = media.enableAuthenticatedMedia();
        this.clock = clock;
        this.blocklist = new UrlBlocklist(config.urlBlocklist());
    }

    /** Fetches with {@code vertx}'s HTTP client from now on (if previews are on), resolving names with {@code resolver}. */
    public void fetchWith(Vertx vertx, AddressResolver resolver) {
        if (config.enabled()) {
            fetcher.set(new PageFetcher(vertx, OutboundGuard.allowing(config.ipAllowlist()), resolver, blocklist,
                    FETCH_TIMEOUT));
        }
    }

    /** Whether previews are on ({@code media.url_preview.enabled}). */
    public boolean enabled() {
        return config.enabled();
    }

    /**
     * The preview of {@code url} as of {@code ts}, for {@code requester} (whose media its image
     * becomes): 400 for what is no http(s) URL, 403 for a blocked one, 502 when the page cannot be
     * fetched or is too large or of a type not previewed.
     */
    public JsonNode preview(String url, UserId requester, long ts) {
        URI uri = parse(url);
        if (blocklist.blocks(uri)) {
            throw MatrixException.of(ErrCode.M_UNKNOWN, "URL blocked by url pattern blocklist entry").withStatus(403);
        }
        String answer = recent.getIfPresent(url);
        if (answer == null) {
            answer = makeOnce(uri, url, requester, ts);
        }
        try {
            return Json.MAPPER.readTree(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored URL preview is no JSON", e);
        }
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url);
            if (PageFetcher.isHttp(uri)) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // told below
        }
        throw MatrixException.invalidParam("url must be an http or https URL");
    }

    /**
     * The answer kept in the database for {@code url} as of {@code ts}, or a new one: made once in
     * this process however many ask at once (the others wait for it), and kept in memory.
     */
    private String makeOnce(URI uri, String url, UserId requester, long ts) {
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> running = making.putIfAbsent(url, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            }
        }
        try {
            String answer = parts.answers().find(url, ts).orElseGet(() -> make(uri, url, requester));
            recent.put(url, answer);
            mine.complete(answer);
            return answer;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            making.remove(url, mine);
        }
    }

    /** Fetches {@code uri}, makes its preview and keeps it. */
    private String make(URI uri, String url, UserId requester) {
        PageFetcher fetch = fetcher.get();
        if (fetch == null) {
            throw MatrixException.forbidden("URL previews are disabled");
        }
        PageFetcher.Page page;
        try {
            page = fetch.fetch(uri, config.maxSpiderSize(), UrlPreviews::previewable);
        } catch (PageFetcher.FetchFailed e) {
            LOG.info("URL preview of {} failed: {} ({})", url, e.failure, e.getMessage());
            throw refusal(e);
        }
        long now = clock.millis();
        ObjectNode og = Json.MAPPER.createObjectNode();
        if (isImage(page.mediaType())) {
            og.put("og:description", page.fileName());
            keepImage(page, url, requester).ifPresent(image -> image.describe(og));
        } else if (isHtml(page.mediaType())) {
            Map<String, String> tags = openGraph(page);
            String image = tags.remove("og:image");
            tags.forEach(og::put);
            if (image != null && !image.isEmpty()) {
                fetchImage(fetch, page.url(), image, url, requester).ifPresent(kept -> kept.describe(og));
            }
        }
        List<String> overlong = new ArrayList<>();
        og.properties().forEach(field -> {
            JsonNode value = field.getValue();
            if (field.getKey().length() > MAX_KEY_LENGTH
                    || (value.isTextual() ? value.textValue() : value.toString()).length() > MAX_VALUE_LENGTH) {
                overlong.add(field.getKey());
            }
        });
        og.remove(overlong);
        String answer = og.toString();
        parts.answers().store(url, now, now + VALID_MS, answer);
        return answer;
    }

    private static Map<String, String> openGraph(PageFetcher.Page page) {
        try {
            try {
                return OpenGraph.of(page.body(), page.charset(), page.url().toString());
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                return OpenGraph.of(page.body(), null, page.url().toString()); // a charset Java does not know
            }
        } catch (IOException e) {
            throw new IllegalStateException("reading HTML from memory", e);
        }
    }

    /** An image kept for a preview, and what the answer says of it. */
    private record KeptImage(MxcUri mxc, String type, long size, Optional<SourceImage> dimensions) {
        void describe(ObjectNode og) {
            og.put("og:image", mxc.toString());
            og.put("og:image:type", type);
            og.put("matrix:image:size", size);
            dimensions.ifPresent(image -> {
                og.put("og:image:width", image.width());
                og.put("og:image:height", image.height());
            });
        }
    }

    /** The page's image ({@code og:image}, maybe relative to the page), fetched and kept; empty if it cannot be. */
    private Optional<KeptImage> fetchImage(PageFetcher fetch, URI page, String image, String url, UserId requester) {
        URI imageUri;
        try {
            imageUri = page.resolve(new URI(image.strip()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!PageFetcher.isHttp(imageUri) || blocklist.blocks(imageUri)) {
            return Optional.empty(); // data: URLs included: not fetched
        }
        try {
            return keepImage(fetch.fetch(imageUri, config.maxSpiderSize(), UrlPreviews::isImage), url, requester);
        } catch (PageFetcher.FetchFailed e) {
            // The preview goes without its image, as Synapse's does.
            LOG.info("Image {} of the preview of {} not fetched: {} ({})", imageUri, url, e.failure, e.getMessage());
            return Optional.empty();
        }
    }

    /** Keeps an image fetched for the preview of {@code url} as media of {@code requester}'s. */
    private Optional<KeptImage> keepImage(PageFetcher.Page image, String url, UserId requester) {
        try {
            StoredContent content = parts.store().put(new ByteArrayInputStream(image.body()), config.maxSpiderSize());
            MediaId mediaId = MediaId.random(random);
            parts.media().insertPreviewImage(mediaId, requester, authenticatedMedia,
                    new LocalMedia.Upload(image.mediaType(), image.fileName(), content, clock.millis()), url);
            if (!parts.contents().stillStored(content.sha256())) {
                parts.media().delete(mediaId);
                return Optional.empty();
            }
            Optional<SourceImage> dimensions = parts.store().file(content.sha256()).isEmpty() ? Optional.empty()
                    : ImageProbe.probe(parts.store().file(content.sha256()).get());
            return Optional.of(new KeptImage(new MxcUri(serverName, mediaId), image.mediaType(), content.size(),
                    dimensions));
        } catch (ContentTooLargeException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("Image of the preview of {} not kept: {}", url, e.toString());
            return Optional.empty();
        }
    }

    /** Synapse's types previewed: HTML, images, and JSON (which, without oEmbed, previews as nothing). */
    private static boolean previewable(String mediaType) {
        return isHtml(mediaType) || isImage(mediaType) || mediaType.startsWith("application/json");
    }

    private static boolean isImage(String mediaType) {
        return mediaType.startsWith("image/");
    }

    private static boolean isHtml(String mediaType) {
        return mediaType.startsWith("text/html") || mediaType.startsWith("application/xhtml");
    }

    /** Synapse's answers when a page cannot be previewed. */
    private static MatrixException refusal(PageFetcher.FetchFailed e) {
        return switch (e.failure) {
            case BLOCKED_ADDRESS, UNKNOWN_HOST ->
                    MatrixException.of(ErrCode.M_UNKNOWN, "DNS resolution failure during URL preview generation")
                            .withStatus(502);
            case BLOCKED_URL -> MatrixException.of(ErrCode.M_UNKNOWN, "URL blocked by url pattern blocklist entry")
                    .withStatus(403);
            case TOO_LARGE -> MatrixException.of(ErrCode.M_TOO_LARGE, "Requested file is too large").withStatus(502);
            case TYPE_REFUSED -> MatrixException.of(ErrCode.M_UNKNOWN,
                    "Requested file's content type not allowed for this operation: " + e.getMessage()).withStatus(502);
            case HTTP_ERROR -> MatrixException.of(ErrCode.M_UNKNOWN, e.getMessage()).withStatus(502);
            case UNREACHABLE -> MatrixException.of(ErrCode.M_UNKNOWN, "Failed to download content").withStatus(502);
        };
    }

    @Override
    public void close() {
        PageFetcher fetch = fetcher.getAndSet(null);
        if (fetch != null) {
            fetch.close();
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("url_previews", recent);
    }
}
