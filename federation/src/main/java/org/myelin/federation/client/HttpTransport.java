package org.myelin.federation.client;

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
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import org.myelin.federation.FederationSettings;
import org.myelin.federation.discovery.AddressResolver;
import org.myelin.federation.discovery.OutboundGuard;
import org.myelin.federation.discovery.Resolution;
import org.myelin.protocol.id.ServerName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.HashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * HTTPS to other servers, with Vert.x's HTTP client. For each target of a {@link Resolution} it
 * looks up the addresses itself, drops those the {@link OutboundGuard} refuses, and connects to
 * the first that answers, by address: TLS carries the SNI and checks the certificate for
 * {@link Resolution#tlsName()}, and the {@code Host} header is {@link Resolution#hostHeader()}.
 * Connecting by the checked address is what makes the SSRF guard hold (no second lookup that
 * could answer differently).
 *
 * <p>Why Vert.x and not {@code java.net.http.HttpClient}: the JDK client takes the address, the
 * SNI name and the {@code Host} header all from one URI and resolves names itself, so it cannot
 * connect to a checked IP while presenting the server's name; Vert.x's request options separate
 * them. Calls block the calling (virtual) thread on the result; the I/O runs on the event loop.
 */
public final class HttpTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);
    /** Largest response accepted (a room's state can be large). */
    static final int MAX_RESPONSE_BYTES = 128 * 1024 * 1024;

    /** A request: method, target (path and query, encoded), headers and body (null for none). */
    public record Request(String method, String uri, Map<String, String> headers, byte[] body) {
    }

    /** An answer: status, headers (names lower-case, first value of each) and body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * An answer whose body is read as it arrives ({@link #open}), for bodies too large for memory
     * (media): status, headers as in {@link Response}, and the body as a stream. Close it: a body
     * not read to its end is dropped and its request reset.
     */
    public record StreamedResponse(int status, Map<String, String> headers, InputStream body) implements AutoCloseable {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The declared {@code Content-Length}, or -1 when there is none (or it is not a number). */
        public long contentLength() {
            String value = header("content-length");
            try {
                return value == null ? -1 : Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /** At most {@code max} bytes of the body (an error's JSON); what is past them is not read. */
        public byte[] readAtMost(int max) throws IOException {
            return body.readNBytes(max);
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                LOG.debug("closing an answer's body: {}", e.toString());
            }
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final OutboundGuard guard;
    private final AddressResolver resolver;
    private final Duration timeout;

    public HttpTransport(Vertx vertx, FederationSettings settings, OutboundGuard guard, AddressResolver resolver) {
        HttpClientOptions options = new HttpClientOptions()
                .setSsl(true)
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setConnectTimeout(10_000)
                .setIdleTimeout((int) Math.max(1, settings.requestTimeout().toSeconds()))
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setDecompressionSupported(true);
        if (settings.allowInsecureTls()) {
            options.setTrustAll(true).setVerifyHost(false);
        } else {
            options.setVerifyHost(true).setTrustOptions(TlsTrust.systemPlus(settings.trustedCaPaths()));
        }
        this.vertx = vertx;
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(8));
        this.guard = guard;
        this.resolver = resolver;
        this.timeout = settings.requestTimeout();
    }

    /**
     * Sends {@code request} to the first target of {@code resolution} that accepts a connection.
     *
     * @throws FederationClientException (UNREACHABLE) when no allowed address answers or the exchange fails
     */
    public Response exchange(Resolution resolution, Request request) throws FederationClientException {
        return exchange(resolution, request, HttpTransport::read, response -> { });
    }

    /**
     * As {@link #exchange}, but gives the answer as soon as its headers are in, its body to be read
     * as it arrives: a read waits at most the request timeout for the next bytes.
     */
    public StreamedResponse open(Resolution resolution, Request request) throws FederationClientException {
        long idleMs = timeout.toMillis();
        return exchange(resolution, request, response -> {
            Map<String, String> headers = new HashMap<>();
            response.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            return Future.succeededFuture(new StreamedResponse(response.statusCode(), headers,
                    ResponseBody.attach(response, idleMs)));
        }, StreamedResponse::close);
    }

    private <T> T exchange(Resolution resolution, Request request, Function<HttpClientResponse, Future<T>> reader,
                           Consumer<T> abandon) throws FederationClientException {
        FederationClientException last = null;
        for (Resolution.Target target : resolution.targets()) {
            List<InetAddress> addresses;
            try {
                addresses = allowedAddresses(target.host());
            } catch (FederationClientException e) {
                last = e;
                continue;
            }
            for (InetAddress address : addresses) {
                try {
                    return send(address, target.port(), resolution, request, reader, abandon);
                } catch (ConnectFailed e) {
                    last = FederationClientException.unreachable("cannot connect to " + address.getHostAddress() + ":"
                            + target.port() + " for " + resolution.hostHeader() + ": " + rootMessage(e), e);
                }
            }
        }
        throw last != null ? last : FederationClientException.unreachable("no address for " + resolution.hostHeader(), null);
    }

    private List<InetAddress> allowedAddresses(String host) throws FederationClientException {
        List<InetAddress> all;
        try {
            all = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw FederationClientException.unreachable("cannot resolve " + host, e);
        }
        List<InetAddress> allowed = new ArrayList<>();
        for (InetAddress a : all) {
            if (guard.permits(a)) {
                allowed.add(a);
            } else {
                LOG.warn("Refusing to connect to {} ({}): not a public address (see federation.outbound_ip_allowlist)",
                        host, a.getHostAddress());
            }
        }
        if (allowed.isEmpty()) {
            throw FederationClientException.unreachable("every address of " + host
                    + " is loopback, private or reserved, and not in federation.outbound_ip_allowlist", null);
        }
        return allowed;
    }

    /** The connection could not be made: the next address may be tried. */
    private static final class ConnectFailed extends Exception {
        ConnectFailed(Throwable cause) {
            super(cause);
        }
    }

    /**
     * One exchange with one address; {@code reader} makes the answer of the response (on the event
     * loop), {@code abandon} drops an answer that came after the caller stopped waiting.
     */
    private <T> T send(InetAddress address, int port, Resolution resolution, Request request,
                       Function<HttpClientResponse, Future<T>> reader, Consumer<T> abandon)
            throws ConnectFailed, FederationClientException {
        ServerName host = ServerName.isValid(resolution.hostHeader()) ? ServerName.parse(resolution.hostHeader()) : null;
        HostAndPort authority = host == null
                ? HostAndPort.authority(resolution.hostHeader())
                : HostAndPort.authority(host.host(), host.port().orElse(-1));
        RequestOptions options = new RequestOptions()
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(resolution.tlsName())
                .setPort(port)
                .setSsl(true)
                .setMethod(HttpMethod.valueOf(request.method()))
                .setURI(request.uri())
                .setConnectTimeout(10_000)
                .setIdleTimeout(timeout.toMillis());
        // The whole exchange runs on an event loop (see OnEventLoop); only its answer is waited for here.
        java.util.concurrent.atomic.AtomicReference<io.vertx.core.http.HttpClientRequest> sent =
                new java.util.concurrent.atomic.AtomicReference<>();
        Future<T> answered = OnEventLoop.run(vertx, () -> client.request(options)
                .recover(connectFailure -> Future.failedFuture(new ConnectFailed(connectFailure)))
                .compose(req -> {
                    sent.set(req);
                    req.authority(authority);
                    request.headers().forEach(req::putHeader);
                    return request.body() == null ? req.send() : req.send(Buffer.buffer(request.body()));
                })
                .compose(reader));
        try {
            return answered.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ConnectFailed connectFailed) {
                throw connectFailed;
            }
            throw FederationClientException.unreachable(request.method() + " " + resolution.hostHeader() + ": "
                    + rootMessage(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            reset(sent.get());
            answered.onSuccess(abandon::accept);
            throw FederationClientException.unreachable(request.method() + " " + resolution.hostHeader()
                    + ": no answer within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            reset(sent.get());
            answered.onSuccess(abandon::accept);
            Thread.currentThread().interrupt();
            throw FederationClientException.unreachable("interrupted", e);
        }
    }

    private static void reset(io.vertx.core.http.HttpClientRequest request) {
        if (request != null) {
            request.reset();
        }
    }

    private static Future<Response> read(HttpClientResponse response) {
        return BoundedBody.read(response, MAX_RESPONSE_BYTES).map(body -> {
            Map<String, String> headers = new HashMap<>();
            response.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            return new Response(response.statusCode(), headers, body);
        });
    }

    static String rootMessage(Throwable e) {
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
            LOG.debug("closing the federation HTTP client: {}", e.toString());
        }
    }
}
