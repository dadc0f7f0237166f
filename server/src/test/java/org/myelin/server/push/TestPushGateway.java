package org.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.myelin.server.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A push gateway on loopback for tests: it keeps every {@code POST /_matrix/push/v1/notify} body
 * it receives and answers with the status and body it is told to (200 {@code {"rejected": []}}
 * unless told otherwise). It can be stopped and started again on the same port, as a gateway
 * that goes down and comes back.
 */
final class TestPushGateway implements AutoCloseable {

    /** A request as received: the status it was answered with and its body. */
    record Received(int answeredWith, JsonNode body) {
        JsonNode notification() {
            return body.path("notification");
        }
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "{\"rejected\": []}";
    private HttpServer server;
    private int port;

    static TestPushGateway start() {
        TestPushGateway gateway = new TestPushGateway();
        gateway.listen(0);
        return gateway;
    }

    private void listen(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/_matrix/push/v1/notify", this::notify);
        server.start();
        port = server.getAddress().getPort();
    }

    private void notify(HttpExchange exchange) throws IOException {
        int answering = status;
        byte[] body = exchange.getRequestBody().readAllBytes();
        received.add(new Received(answering, Json.MAPPER.readTree(body)));
        byte[] out = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answering, out.length);
        exchange.getResponseBody().write(out);
        exchange.close();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/_matrix/push/v1/notify";
    }

    /** Answers every further request with {@code code} and {@code body}. */
    void answer(int code, String body) {
        this.status = code;
        this.answer = body;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** Those received requests the gateway answered with 200. */
    List<JsonNode> delivered() {
        return received.stream().filter(r -> r.answeredWith() == 200).map(Received::notification).toList();
    }

    /** Stops listening: connections to the port are refused. */
    void down() {
        server.stop(0);
    }

    /** Listens again on the same port. */
    void up() {
        listen(port);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
