package org.myelin.bench.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.myelin.bench.load.Http1Connection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * One homeserver's client-server API over plain HTTP/1.1 keep-alive connections (the load
 * package's blocking {@link Http1Connection}, cheap on a 2-core machine that also runs the
 * server): a virtual thread takes an idle connection for one exchange and gives it back, so as
 * many connections are open as exchanges ran at once. Bodies come back as bytes, so that a timed
 * request is timed up to its last byte, not through the load generator's JSON parsing.
 */
public final class HttpPool {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String V3 = "/_matrix/client/v3";

    private final String host;
    private final int port;
    private final ConcurrentLinkedDeque<Http1Connection> idle = new ConcurrentLinkedDeque<>();

    public HttpPool(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** One exchange on a pooled connection; a kept-alive connection the server closed meanwhile is replaced once. */
    public Http1Connection.Response exchange(String method, String path, String token, byte[] body) {
        Http1Connection connection = idle.pollFirst();
        try {
            Http1Connection.Response response;
            try {
                if (connection == null) {
                    connection = new Http1Connection(host, port);
                }
                response = connection.exchange(method, path, token, body);
            } catch (IOException stale) {
                if (connection != null) {
                    connection.close();
                }
                connection = new Http1Connection(host, port);
                response = connection.exchange(method, path, token, body);
            }
            if (connection.isOpen()) {
                idle.offerFirst(connection);
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        }
    }

    /** An exchange that must answer 200; its body as JSON. */
    public JsonNode ok(String method, String path, String token, JsonNode body) {
        try {
            Http1Connection.Response r = exchange(method, path, token, body == null ? null : JSON.writeValueAsBytes(body));
            JsonNode parsed = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
            if (r.status() != 200) {
                throw new IllegalStateException(method + " " + path + " -> " + r.status() + " " + parsed);
            }
            return parsed;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        }
    }

    public static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON", e);
        }
    }

    public static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Closes the idle connections. */
    public void close() {
        for (Http1Connection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            try {
                c.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
