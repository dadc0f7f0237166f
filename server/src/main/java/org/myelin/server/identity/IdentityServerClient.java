package org.myelin.server.identity;

import org.myelin.federation.client.BoundedBody;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.myelin.federation.client.TlsTrust;
import org.myelin.federation.discovery.AddressResolver;
import org.myelin.federation.discovery.OutboundGuard;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
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
 * JSON over HTTPS to identity servers (identity service API), as Synapse talks to them: always
 * {@code https://}, through the same address guard and trust as outbound federation
 * ({@code federation.outbound_ip_allowlist}, {@code federation.trusted_ca_paths},
 * {@code federation.allow_insecure_self_signed}), because the identity server is named by a client
 * and must not aim the server at its own network. Calls block the calling virtual thread; the I/O
 * runs on Vert.x's event loop.
 */
public final class IdentityServerClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityServerClient.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Identity server answers are small JSON objects. */
    private static final int MAX_RESPONSE_BYTES = 1 << 20;

    /** An identity server's answer: its status and body (null if it was not a JSON object). */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status >= 200 && status < 300 && body != null;
        }
    }

    /** The identity server could not be reached, or answered what is not HTTP with JSON. */
    public static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final OutboundGuard guard;
    private final AddressResolver resolver;

    public IdentityServerClient(Vertx vertx, HomeserverConfig.Federation federation) {
        this.vertx = vertx;
        // A connection per request: a few requests per invite, to servers clients name, none worth
        // keeping a pooled connection to (and none to find closed under the next request).
        HttpClientOptions options = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(false)
                .setConnectTimeout(10_000);
        if (federation.allowInsecureSelfSigned()) {
            options.setTrustAll(true).setVerifyHost(false);
        } else {
            options.setVerifyHost(true).setTrustOptions(TlsTrust.systemPlus(federation.trustedCaPaths()));
        }
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(8));
        this.guard = OutboundGuard.allowing(federation.outboundIpAllowlist());
        this.resolver = AddressResolver.SYSTEM;
    }

    /** {@code GET url}, with a bearer token if one is given. */
    public Answer get(URI url, String accessToken) throws Unreachable {
        return send(HttpMethod.GET, url, accessToken, null);
    }

    /** {@code POST url} with a JSON body, with a bearer token if one is given. */
    public Answer post(URI url, String accessToken, ObjectNode body) throws Unreachable {
        return send(HttpMethod.POST, url, accessToken, Json.write(body).getBytes());
    }

    private Answer send(HttpMethod method, URI url, String accessToken, byte[] body) throws Unreachable {
        if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new Unreachable("not an https URL: " + url);
        }
        List<InetAddress> addresses;
        try {
            addresses = allowedAddresses(url.getHost());
        } catch (UnknownHostException e) {
            throw new Unreachable("cannot resolve " + url.getHost());
        }
        if (addresses.isEmpty()) {
            throw new Unreachable("every address of " + url.getHost()
                    + " is loopback, private or reserved, and not in federation.outbound_ip_allowlist");
        }
        String failure = null;
        for (InetAddress address : addresses) {
            try {
                return answer(exchange(method, url, address, accessToken, body));
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                failure = address.getHostAddress() + ": " + cause;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unreachable("interrupted");
            }
        }
        throw new Unreachable(failure);
    }

    private List<InetAddress> allowedAddresses(String host) throws UnknownHostException {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        List<InetAddress> allowed = new ArrayList<>();
        for (InetAddress a : resolver.resolve(bare)) {
            if (guard.permits(a)) {
                allowed.add(a);
            } else {
                LOG.warn("Refusing to ask identity server {} ({}): not a public address (see "
                        + "federation.outbound_ip_allowlist)", bare, a.getHostAddress());
            }
        }
        return allowed;
    }

    private record Raw(int status, byte[] body) {
    }

    private Raw exchange(HttpMethod method, URI url, InetAddress address, String accessToken, byte[] body)
            throws ExecutionException, TimeoutException, InterruptedException {
        int port = url.getPort() >= 0 ? url.getPort() : 443;
        String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        RequestOptions options = new RequestOptions()
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(url.getHost())
                .setPort(port)
                .setSsl(true)
                .setMethod(method)
                .setURI(target)
                .setIdleTimeout(TIMEOUT.toMillis());
        if (accessToken != null) {
            options.putHeader("Authorization", "Bearer " + accessToken);
        }
        if (body != null) {
            options.putHeader("Content-Type", "application/json");
        }
        // The exchange runs on an event loop (see OnEventLoop); this thread waits for the answer.
        Future<Raw> answered = OnEventLoop.run(vertx, () -> client.request(options)
                .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
                .compose(IdentityServerClient::read));
        return answered.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Future<Raw> read(HttpClientResponse response) {
        return BoundedBody.read(response, MAX_RESPONSE_BYTES).map(body -> new Raw(response.statusCode(), body));
    }

    private static Answer answer(Raw raw) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(raw.body());
        } catch (IOException e) {
            json = null;
        }
        return new Answer(raw.status(), json != null && json.isObject() ? json : null);
    }

    @Override
    public void close() {
        try {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("closing the identity server HTTP client: {}", e.toString());
        }
    }
}
