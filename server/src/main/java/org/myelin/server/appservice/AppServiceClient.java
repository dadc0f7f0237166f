package org.myelin.server.appservice;

import org.myelin.federation.client.BoundedBody;
import org.myelin.federation.client.OnEventLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP requests from the homeserver to application services (application service API), with
 * {@code Authorization: Bearer <hs_token>}, as Synapse does since it stopped sending the token
 * as a query parameter by default. The admin configured the URLs: plain http and loopback are
 * allowed, without the SSRF guard of pushers and federation. Calls block the calling virtual
 * thread; the I/O runs on Vert.x's event loop.
 */
final class AppServiceClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AppServiceClient.class);
    static final String PREFIX = "/_matrix/app/v1";
    /** A service's answer: a transaction acknowledgement, a query result, a protocol's metadata. */
    private static final int MAX_RESPONSE_BYTES = 4 << 20;

    /** What the service answered. */
    record Answer(int status, byte[] body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** The service could not be reached, or did not answer in time. */
    static final class Unreachable extends Exception {
        final boolean timedOut;

        Unreachable(String message, boolean timedOut) {
            super(message, null, false, false);
            this.timedOut = timedOut;
        }
    }

    private final Vertx vertx;
    private final HttpClient client;

    AppServiceClient(Vertx vertx) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setConnectTimeout(10_000)
                .setVerifyHost(true), new PoolOptions().setHttp1MaxSize(8));
    }

    /**
     * Sends {@code method} to {@code path} (under {@link #PREFIX}, already escaped, with its
     * query) of {@code service}, with {@code body} as JSON if not null.
     */
    Answer send(AppService service, HttpMethod method, String path, byte[] body, Duration timeout)
            throws Unreachable {
        URI url = service.url();
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() >= 0 ? url.getPort() : https ? 443 : 80;
        String base = url.getRawPath() == null ? "" : url.getRawPath();
        RequestOptions options = new RequestOptions()
                .setHost(url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
                        : url.getHost())
                .setPort(port)
                .setSsl(https)
                .setMethod(method)
                .setURI(base + PREFIX + path)
                .setIdleTimeout(timeout.toMillis())
                .putHeader("Authorization", "Bearer " + service.hsToken());
        if (body != null) {
            options.putHeader("Content-Type", "application/json");
        }
        // The exchange runs on an event loop (see OnEventLoop); this thread waits for the answer.
        Future<Answer> answered = OnEventLoop.run(vertx, () -> client.request(options)
                .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
                .compose(AppServiceClient::read));
        try {
            return answered.toCompletionStage().toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Unreachable("no answer within " + timeout.toSeconds() + " s", true);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            // Vert.x reports an idle timeout as an exception that says so, not as a type of its own.
            boolean timedOut = cause instanceof TimeoutException
                    || String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("timeout");
            throw new Unreachable(String.valueOf(cause), timedOut);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted", false);
        }
    }

    private static Future<Answer> read(HttpClientResponse response) {
        return BoundedBody.read(response, MAX_RESPONSE_BYTES).map(body -> new Answer(response.statusCode(), body));
    }

    @Override
    public void close() {
        try {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("closing the application service HTTP client: {}", e.toString());
        }
    }
}
