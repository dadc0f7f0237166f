package org.myelin.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.myelin.server.http.Json;

/**
 * An application service for tests: a plain HTTP server on loopback (Vert.x) that records every
 * request the homeserver makes of it and answers what the test says. Transactions answer
 * {@link #transactionStatus} (200 by default); other requests go to {@link #answer}, run off the
 * event loop so that it may call the homeserver back (as a bridge does before answering a query).
 */
public final class FakeAppService implements AutoCloseable {

    /** A request the homeserver made: {@code path} without the query; {@code body} null if none or not JSON. */
    public record Received(String method, String path, String query, String authorization, JsonNode body) {
    }

    /** What to answer: a status and a JSON body. */
    public record Answer(int status, String body) {
        public static final Answer OK = new Answer(200, "{}");
    }

    public static final String HS_TOKEN = "hs-secret-token";

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    /** Every transaction attempt, in the order received. */
    public final BlockingQueue<Received> attempts = new LinkedBlockingQueue<>();
    /** The transactions answered 200. */
    public final BlockingQueue<Received> transactions = new LinkedBlockingQueue<>();
    /** Every other request. */
    public final BlockingQueue<Received> requests = new LinkedBlockingQueue<>();
    public volatile int transactionStatus = 200;
    public volatile Function<Received, Answer> answer = r -> Answer.OK;

    public FakeAppService() {
        this.server = vertx.createHttpServer().requestHandler(this::handle);
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(buffer -> {
            JsonNode body = null;
            if (buffer.length() > 0) {
                try {
                    body = Json.MAPPER.readTree(buffer.getBytes());
                } catch (IOException e) {
                    body = null;
                }
            }
            Received r = new Received(request.method().name(), request.path(), request.query(),
                    request.getHeader("Authorization"), body);
            if (r.path().startsWith("/_matrix/app/v1/transactions/")) {
                attempts.add(r);
                int status = transactionStatus;
                if (status == 200) {
                    transactions.add(r);
                }
                request.response().setStatusCode(status).end("{}");
                return;
            }
            requests.add(r);
            vertx.executeBlocking(() -> answer.apply(r)).onComplete(done -> {
                Answer a = done.succeeded() ? done.result() : new Answer(500, "{}");
                request.response().setStatusCode(a.status()).putHeader("Content-Type", "application/json")
                        .end(a.body());
            });
        });
    }

    /** The next transaction answered 200 (waits up to 30 s), or fails the test. */
    public Received nextTransaction() {
        return next(transactions, "transaction");
    }

    /** The next other request (waits up to 30 s), or fails the test. */
    public Received nextRequest() {
        return next(requests, "request");
    }

    public static Received next(BlockingQueue<Received> queue, String what) {
        try {
            Received r = queue.poll(30, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no " + what + " reached the application service");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Writes a registration file for this service to {@code dir}: users {@code @bridge_.*},
     * aliases {@code #bridge_.*}, both exclusive, sender {@code @bridgebot}; {@code extra} is
     * appended (more YAML keys).
     */
    public Path writeRegistration(Path dir, String id, String asToken, String extra) {
        return writeRegistration(dir, id, url(), asToken, extra);
    }

    public static Path writeRegistration(Path dir, String id, String url, String asToken, String extra) {
        String yaml = "id: " + id + "\n"
                + "url: " + (url == null ? "null" : "\"" + url + "\"") + "\n"
                + "as_token: " + asToken + "\n"
                + "hs_token: " + HS_TOKEN + "-" + id + "\n"
                + "sender_localpart: " + id + "bot\n"
                + "rate_limited: false\n"
                + "namespaces:\n"
                + "  users:\n    - exclusive: true\n      regex: '@" + id + "_.*'\n"
                + "  aliases:\n    - exclusive: true\n      regex: '#" + id + "_.*'\n"
                + "  rooms: []\n"
                + extra;
        try {
            return Files.writeString(dir.resolve(id + ".yaml"), yaml);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
