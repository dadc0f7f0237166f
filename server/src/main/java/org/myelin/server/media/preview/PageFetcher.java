package org.myelin.server.media.preview;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.myelin.federation.client.OnEventLoop;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.myelin.federation.discovery.AddressResolver;
import org.myelin.federation.discovery.OutboundGuard;
import org.myelin.federation.media.ContentDisposition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the pages and images of URL previews, which a user names, through an SSRF guard: the
 * host of each URL (the one asked for, and each redirect's, at most {@link #MAX_REDIRECTS}) is
 * resolved here, every address the {@link OutboundGuard} refuses is dropped (loopback, private,
 * link-local, multicast, … unless {@code media.url_preview.ip_allowlist} has it), and the
 * connection goes to a checked address, presenting the host's name for TLS and in
 * {@code Host}: no second lookup can answer differently. A redirect to a blocked URL
 * ({@code media.url_preview.url_blocklist}) is refused as the URL itself would be. Bodies are
 * read into memory up to a limit (checked on the declared length first, then as bytes arrive,
 * decompressed), and the whole fetch, redirects included, within a deadline. Calls block the
 * calling virtual thread; the I/O runs on Vert.x's event loop.
 */
final class PageFetcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PageFetcher.class);
    static final int MAX_REDIRECTS = 10;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** Some sites give their Open Graph tags only to crawlers: say what this is, not which version. */
    private static final String USER_AGENT = "Myelin (bot; URL preview)";

    /** A page or image fetched: where it ended up (after redirects), its type, name and bytes. */
    record Page(URI url, String mediaType, String charset, String fileName, byte[] body) {}

    /** Why a fetch failed. */
    enum Failure {
        /** Every address of the host is one the guard refuses: told as a DNS failure, as Synapse does. */
        BLOCKED_ADDRESS,
        /** A redirect led to a URL of the blocklist. */
        BLOCKED_URL,
        /** The host has no address. */
        UNKNOWN_HOST,
        /** Larger than the limit. */
        TOO_LARGE,
        /** Of a type not asked for. */
        TYPE_REFUSED,
        /** An answer that is no success (nor a redirect followed). */
        HTTP_ERROR,
        /** No connection, no answer in time, too many redirects, or a broken answer. */
        UNREACHABLE
    }

    /** A fetch that failed, and why. */
    static final class FetchFailed extends Exception {
        final Failure failure;

        FetchFailed(Failure failure, String message) {
            super(message, null, false, false);
            this.failure = failure;
        }
    }

    /** The answer of one exchange. */
    private sealed interface Hop {
        record Redirect(String location) implements Hop {}

        record Body(String contentType, String disposition, byte[] bytes) implements Hop {}

        record Refused(Failure failure, String message) implements Hop {}
    }

    /** The connection could not be made: the next address may be tried. */
    private static final class ConnectFailed extends Exception {
        ConnectFailed(Throwable cause) {
            super(cause);
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final OutboundGuard guard;
    private final AddressResolver resolver;
    private final UrlBlocklist blocklist;
    private final Duration timeout;

    PageFetcher(Vertx vertx, OutboundGuard guard, AddressResolver resolver, UrlBlocklist blocklist, Duration timeout) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(false)
                .setConnectTimeout(10_000)
                .setVerifyHost(true)
                .setDecompressionSupported(true), new PoolOptions().setHttp1MaxSize(4));
        this.guard = guard;
        this.resolver = resolver;
        this.blocklist = blocklist;
        this.timeout = timeout;
    }

    /**
     * Fetches {@code url} (http or https), following redirects, if its answer is of a type
     * {@code accepted} takes (the media type, lower case, without parameters) and holds at most
     * {@code maxBytes} bytes.
     */
    Page fetch(URI url, long maxBytes, Predicate<String> accepted) throws FetchFailed {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI current = url;
        for (int redirects = 0; ; redirects++) {
            Hop hop = exchange(current, maxBytes, accepted, deadline);
            switch (hop) {
                case Hop.Body body -> {
                    String type = body.contentType() == null ? "application/octet-stream" : body.contentType();
                    return new Page(current, mediaType(type), charset(type),
                            ContentDisposition.fileName(body.disposition()).orElse(null), body.bytes());
                }
                case Hop.Refused refused -> throw new FetchFailed(refused.failure(), refused.message());
                case Hop.Redirect redirect -> {
                    if (redirects >= MAX_REDIRECTS) {
                        throw new FetchFailed(Failure.UNREACHABLE, "more than " + MAX_REDIRECTS + " redirects");
                    }
                    current = next(current, redirect.location());
                }
            }
        }
    }

    private URI next(URI from, String location) throws FetchFailed {
        URI to;
        try {
            to = from.resolve(new URI(location));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new FetchFailed(Failure.UNREACHABLE, "redirect to a malformed URL");
        }
        if (!isHttp(to)) {
            throw new FetchFailed(Failure.UNREACHABLE, "redirect to a URL that is not http or https");
        }
        if (blocklist.blocks(to)) {
            throw new FetchFailed(Failure.BLOCKED_URL, "redirect to a blocked URL");
        }
        return to;
    }

    static boolean isHttp(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && url.getHost() != null && !url.getHost().isEmpty();
    }

    private Hop exchange(URI url, long maxBytes, Predicate<String> accepted, long deadline) throws FetchFailed {
        String host = bare(url.getHost());
        List<InetAddress> addresses = allowedAddresses(host);
        String failure = "no address";
        for (InetAddress address : addresses) {
            try {
                return send(url, host, address, maxBytes, accepted, deadline);
            } catch (ConnectFailed e) {
                failure = address.getHostAddress() + ": " + rootMessage(e);
            }
        }
        throw new FetchFailed(Failure.UNREACHABLE, "cannot connect to " + host + " (" + failure + ")");
    }

    private List<InetAddress> allowedAddresses(String host) throws FetchFailed {
        List<InetAddress> all;
        try {
            all = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new FetchFailed(Failure.UNKNOWN_HOST, "cannot resolve " + host);
        }
        List<InetAddress> allowed = new ArrayList<>();
        for (InetAddress a : all) {
            if (guard.permits(a)) {
                allowed.add(a);
            } else {
                LOG.info("URL preview refused to connect to {} ({}): not a public address"
                        + " (see media.url_preview.ip_allowlist)", host, a.getHostAddress());
            }
        }
        if (allowed.isEmpty()) {
            throw new FetchFailed(Failure.BLOCKED_ADDRESS, "no allowed address for " + host);
        }
        return allowed;
    }

    private Hop send(URI url, String host, InetAddress address, long maxBytes, Predicate<String> accepted,
                     long deadline) throws ConnectFailed, FetchFailed {
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() >= 0 ? url.getPort() : https ? 443 : 80;
        URI ascii = URI.create(url.toASCIIString()); // a path or query of other characters, percent-encoded
        String path = ascii.getRawPath() == null || ascii.getRawPath().isEmpty() ? "/" : ascii.getRawPath();
        String target = path + (ascii.getRawQuery() == null ? "" : "?" + ascii.getRawQuery());
        long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        RequestOptions options = new RequestOptions()
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(host)
                .setPort(port)
                .setSsl(https)
                .setMethod(HttpMethod.GET)
                .setURI(target)
                .setIdleTimeout(remainingMs)
                .putHeader("User-Agent", USER_AGENT)
                .putHeader("Accept-Language", "en")
                .putHeader("Accept", "text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.8");
        // The exchange runs on an event loop (see OnEventLoop); this thread waits for the answer.
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        Future<Hop> answered = OnEventLoop.run(vertx, () -> client.request(options)
                .recover(connectFailure -> Future.failedFuture(new ConnectFailed(connectFailure)))
                .compose(request -> {
                    sent.set(request);
                    request.exceptionHandler(reset -> { }); // the send's future reports failures
                    return request.send();
                })
                .compose(response -> read(response, maxBytes, accepted)));
        try {
            return answered.toCompletionStage().toCompletableFuture().get(remainingMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConnectFailed connectFailed) {
                throw connectFailed;
            }
            throw new FetchFailed(Failure.UNREACHABLE, host + ": " + rootMessage(e.getCause()));
        } catch (TimeoutException e) {
            reset(sent.get());
            throw new FetchFailed(Failure.UNREACHABLE, host + ": no answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            reset(sent.get());
            Thread.currentThread().interrupt();
            throw new FetchFailed(Failure.UNREACHABLE, "interrupted");
        }
    }

    /** Reads an answer on its event loop: a redirect, a refusal, or a body within the limit. */
    private static Future<Hop> read(HttpClientResponse response, long maxBytes, Predicate<String> accepted) {
        // A response reset here (not read, or read past the limit) reports the reset: expected.
        response.exceptionHandler(reset -> { });
        int status = response.statusCode();
        String location = response.getHeader("Location");
        if (REDIRECTS.contains(status) && location != null) {
            response.request().reset();
            return Future.succeededFuture(new Hop.Redirect(location));
        }
        if (status < 200 || status > 299) {
            response.request().reset();
            return Future.succeededFuture(new Hop.Refused(Failure.HTTP_ERROR, "Got error " + status));
        }
        String type = response.getHeader("Content-Type");
        if (!accepted.test(mediaType(type == null ? "application/octet-stream" : type))) {
            response.request().reset();
            return Future.succeededFuture(new Hop.Refused(Failure.TYPE_REFUSED, type));
        }
        long declared = declaredLength(response.getHeader("Content-Length"));
        if (declared > maxBytes) {
            response.request().reset();
            return Future.succeededFuture(new Hop.Refused(Failure.TOO_LARGE, "declared " + declared + " bytes"));
        }
        Promise<Hop> promise = Promise.promise();
        Buffer received = Buffer.buffer();
        response.exceptionHandler(promise::tryFail);
        response.handler(chunk -> {
            if (received.length() + (long) chunk.length() > maxBytes) {
                promise.tryComplete(new Hop.Refused(Failure.TOO_LARGE, "more than " + maxBytes + " bytes"));
                response.request().reset();
            } else {
                received.appendBuffer(chunk);
            }
        });
        response.endHandler(v -> promise.tryComplete(new Hop.Body(type, response.getHeader("Content-Disposition"),
                received.getBytes())));
        return promise.future();
    }

    private static long declaredLength(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The media type of a {@code Content-Type}, lower case, without its parameters. */
    static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /** The {@code charset} parameter of a {@code Content-Type}, or null. */
    static String charset(String contentType) {
        for (String parameter : contentType.split(";")) {
            String p = parameter.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                String value = p.substring("charset=".length()).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static void reset(HttpClientRequest request) {
        if (request != null) {
            request.reset();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Override
    public void close() {
        try {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("closing the URL preview HTTP client: {}", e.toString());
        }
    }
}
