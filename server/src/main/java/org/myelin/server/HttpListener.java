package org.myelin.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.http.ErrorMapper;
import org.myelin.server.tls.TlsFiles;

/** One configured listener: an HTTP(S) server on one address and port, serving its resources. */
final class HttpListener implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 30;
    /** Matrix paths carry long ids and filters; Netty's default of 4 KiB is too tight. */
    private static final int MAX_INITIAL_LINE = 16 * 1024;

    private final HttpServer server;
    private final HomeserverConfig.Listener config;
    private final boolean tls;

    private HttpListener(HttpServer server, HomeserverConfig.Listener config, boolean tls) {
        this.server = server;
        this.config = config;
        this.tls = tls;
    }

    /** Binds and starts serving; {@code tlsFiles} null means plain HTTP. */
    static HttpListener start(Vertx vertx, HomeserverConfig.Listener config, Router router, TlsFiles tlsFiles,
                              String key) {
        // HTTP/1.1 only: clients reach the client listener through a reverse proxy, servers the
        // federation listener over TLS without ALPN. Vert.x would otherwise upgrade plain-text
        // connections to HTTP/2 on request (h2c), which nothing needs.
        HttpServerOptions options = new HttpServerOptions().setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setHttp2ClearTextEnabled(false);
        if (tlsFiles != null) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(tlsFiles.certificate().toString())
                    .setKeyPath(tlsFiles.key().toString()));
        }
        // Requests the HTTP decoder refuses (request line or headers too long) never reach the
        // router: they get their Matrix error here.
        HttpServer server = vertx.createHttpServer(options).requestHandler(router)
                .invalidRequestHandler(ErrorMapper::refuseInvalid);
        try {
            await(server.listen(config.port(), config.bindAddress()));
        } catch (RuntimeException e) {
            throw new StartupException(key + ": cannot listen on " + config.bindAddress() + ":" + config.port() + ": "
                    + rootMessage(e), e);
        }
        return new HttpListener(server, config, tlsFiles != null);
    }

    int port() {
        return server.actualPort();
    }

    HomeserverConfig.Listener config() {
        return config;
    }

    /** e.g. {@code https://127.0.0.1:8448 (federation, keys)}. */
    String describe() {
        String host = config.bindAddress().contains(":") ? "[" + config.bindAddress() + "]" : config.bindAddress();
        return (tls ? "https" : "http") + "://" + host + ":" + port() + " ("
                + config.resources().stream().map(Resource::configName).collect(Collectors.joining(", ")) + ")";
    }

    /** Stops accepting connections and closes open ones. */
    @Override
    public void close() {
        await(server.close());
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after " + TIMEOUT_SECONDS + "s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
