package org.myelin.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A minimal client-server API client for load generation: plain HTTP, JSON in and out. */
final class MatrixHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;

    MatrixHttp(String base) {
        this.base = base;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    record Response(int status, JsonNode body) {
    }

    Response call(String method, String path, String token, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode parsed = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        return new Response(response.statusCode(), parsed);
    }

    JsonNode ok(String method, String path, String token, JsonNode body) throws IOException, InterruptedException {
        Response r = call(method, path, token, body);
        if (r.status() != 200) {
            throw new IOException(method + " " + path + " -> " + r.status() + " " + r.body());
        }
        return r.body();
    }

    /** Registers {@code localpart} through the m.login.dummy flow; returns [userId, accessToken]. */
    String[] register(String localpart, String password) throws IOException, InterruptedException {
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

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
