package org.myelin.server.push;

import org.myelin.federation.client.BoundedBody;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.myelin.federation.client.OnEventLoop;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import org.myelin.federation.discovery.AddressResolver;
import org.myelin.federation.discovery.OutboundGuard;
import org.myelin.server.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Posts notifications to push gateways ({@code POST /_matrix/push/v1/notify}, push gateway API)
 * through the same SSRF guard as outbound federation: the gateway's host is resolved here, every
 * address the {@link OutboundGuard} refuses (loopback, private, link-local, … unless
 * {@code federation.outbound_ip_allowlist} has it) is dropped, and the connection goes to a
 * checked address, so that a client cannot point the server at its own network with a pusher's
 * URL. HTTPS gateways are verified against the system's authorities and
 * {@code federation.trusted_ca_paths}. Calls block the calling virtual thread; the I/O runs on
 * Vert.x's event loop.
 */
final class PushGatewayClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PushGatewayClient.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A gateway's answer is a list of rejected pushkeys: small. */
    private static final int MAX_RESPONSE_BYTES = 1 << 20;

    /** What the gateway made of a notification. */
    sealed interface Outcome {
        /** A 2xx answer: the pushkeys the gateway says are no longer valid (maybe none). */
        record Delivered(List<String> rejected) implements Outcome {
        }

        /** No answer, an error status or an answer that is not the API's: to be retried. */
        record Failed(String reason) implements Outcome {
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final OutboundGuard guard;
    private final AddressResolver resolver;

    PushGatewayClient(Vertx vertx, OutboundGuard guard, AddressResolver resolver, TrustOptions trust) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setConnectTimeout(10_000)
                .setVerifyHost(true)
                .setTrustOptions(trust), new PoolOptions().setHttp1MaxSize(8));
        this.guard = guard;
        this.resolver = resolver;
    }

    /** Posts {@code body} (a {@code {"notification": …}} object) to {@code url}. */
    Outcome post(URI url, byte[] body) {
        List<InetAddress> addresses;
        try {
            addresses = allowedAddresses(url.getHost());
        } catch (UnknownHostException e) {
            return new Outcome.Failed("cannot resolve " + url.getHost());
        }
        if (addresses.isEmpty()) {
            return new Outcome.Failed("every address of " + url.getHost()
                    + " is loopback, private or reserved, and not in federation.outbound_ip_allowlist");
        }
        String failure = null;
        for (InetAddress address : addresses) {
            try {
                return answer(send(url, address, body));
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                failure = address.getHostAddress() + ": " + cause;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome.Failed("interrupted");
            }
        }
        return new Outcome.Failed(failure);
    }

    private List<InetAddress> allowedAddresses(String host) throws UnknownHostException {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        List<InetAddress> allowed = new ArrayList<>();
        for (InetAddress a : resolver.resolve(bare)) {
            if (guard.permits(a)) {
                allowed.add(a);
            } else {
                LOG.warn("Refusing to push to {} ({}): not a public address (see federation.outbound_ip_allowlist)",
                        bare, a.getHostAddress());
            }
        }
        return allowed;
    }

    private record Answer(int status, byte[] body) {
    }

    private Answer send(URI url, InetAddress address, byte[] body)
            throws ExecutionException, TimeoutException, InterruptedException {
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() >= 0 ? url.getPort() : https ? 443 : 80;
        String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        RequestOptions options = new RequestOptions()
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(url.getHost())
                .setPort(port)
                .setSsl(https)
                .setMethod(HttpMethod.POST)
                .setURI(target)
                .setIdleTimeout(TIMEOUT.toMillis())
                .putHeader("Content-Type", "application/json");
        // The exchange runs on an event loop (see OnEventLoop); this thread waits for the answer.
        Future<Answer> answered = OnEventLoop.run(vertx, () -> client.request(options)
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(PushGatewayClient::read));
        return answered.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Future<Answer> read(HttpClientResponse response) {
        return BoundedBody.read(response, MAX_RESPONSE_BYTES).map(body -> new Answer(response.statusCode(), body));
    }

    /** As Synapse: any status but 2xx, and a body that is not a JSON object, is a failure to retry. */
    private static Outcome answer(Answer answer) {
        if (answer.status() < 200 || answer.status() >= 300) {
            return new Outcome.Failed("HTTP " + answer.status());
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(answer.body());
        } catch (java.io.IOException e) {
            return new Outcome.Failed("answer is not JSON");
        }
        if (json == null || !json.isObject()) {
            return new Outcome.Failed("answer is not a JSON object");
        }
        List<String> rejected = new ArrayList<>();
        json.path("rejected").forEach(k -> {
            if (k.isTextual()) {
                rejected.add(k.textValue());
            }
        });
        return new Outcome.Delivered(rejected);
    }

    @Override
    public void close() {
        try {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("closing the push gateway HTTP client: {}", e.toString());
        }
    }
}
