package org.myelin.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedDeque;

/** A minimal client-server API client for load generation: plain HTTP/1.1 with keep-alive, JSON in and out. */
public final class MatrixHttp {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final String host;
    private final int port;
    /** Idle keep-alive connections; a virtual thread takes one for an exchange and gives it back. */
    private final ConcurrentLinkedDeque<Http1Connection> idle = new ConcurrentLinkedDeque<>();

    /** {@code base}: {@code http://host:port}. */
    public MatrixHttp(String base) {
        URI uri = URI.create(base);
        this.host = uri.getHost();
        this.port = uri.getPort();
    }

    public record Response(int status, JsonNode body) {
    }

    public Response call(String method, String path, String token, JsonNode body) throws IOException, InterruptedException {
        byte[] bytes = body == null ? null : JSON.writeValueAsBytes(body);
        Http1Connection connection = idle.pollFirst();
        Http1Connection.Response response;
        try {
            if (connection == null) {
                connection = new Http1Connection(host, port);
            }
            response = connection.exchange(method, path, token, bytes);
        } catch (IOException stale) {
            // A kept-alive connection the server has since closed: once more on a new one. The
            // benchmark's requests are idempotent (sends carry transaction ids).
            if (connection != null) {
                connection.close();
            }
            connection = new Http1Connection(host, port);
            response = connection.exchange(method, path, token, bytes);
        }
        if (connection.isOpen()) {
            idle.offerFirst(connection);
        }
        JsonNode parsed = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        return new Response(response.status(), parsed);
    }

    /** Closes the keep-alive connections not in use now. */
    public void closeIdle() throws IOException {
        for (Http1Connection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            c.close();
        }
    }

    public JsonNode ok(String method, String path, String token, JsonNode body) throws IOException, InterruptedException {
        Response r = call(method, path, token, body);
        if (r.status() != 200) {
            throw new IOException(method + " " + path + " -> " + r.status() + " " + r.body());
        }
        return r.body();
    }

    /** Registers {@code localpart} through the m.login.dummy flow; returns [userId, accessToken]. */
    public String[] register(String localpart, String password) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("username", localpart).put("password", password);
        Response first = call("POST", "/_matrix/client/v3/register", null, body);
        if (first.status() == 401) {
            body.putObject("auth").put("type", "m.login.dummy").put("session", first.body().path("session").asText());
            first = call("POST", "/_matrix/client/v3/register", null, body);
        }
        if (first.status() != 200) {
            throw new IOException("register " + localpart + " -> " + first.status() + " " + first.body());
        }
        return new String[] {first.body().get("user_id").asText(), first.body().get("access_token").asText()};
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
