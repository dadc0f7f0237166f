package org.myelin.bench.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * One user's session on one homeserver's client-server API (plain HTTP on loopback), JSON in and
 * out: just what the federation load benchmark drives. Each session has its own connection pool,
 * so a long-polling /sync never waits behind another user's request.
 */
final class ClientApi implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String V3 = "/_matrix/client/v3";

    /** A response: its status and its body (an empty object when there is none). */
    record Response(int status, JsonNode body) {
    }

    private final HttpClient http;
    private final String base;
    private final String token;
    final String userId;

    private ClientApi(String base, String userId, String token) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.base = base;
        this.userId = userId;
        this.token = token;
    }

    /** Registers {@code localpart} (m.login.dummy) on the client listener at {@code base}. */
    static ClientApi register(String base, String localpart) {
        try (ClientApi anonymous = new ClientApi(base, null, null)) {
            ObjectNode body = JSON.createObjectNode().put("username", localpart)
                    .put("password", "bench-" + UUID.randomUUID());
            Response first = anonymous.call("POST", V3 + "/register", body, Duration.ofSeconds(30));
            if (first.status() == 401) {
                body.putObject("auth").put("type", "m.login.dummy")
                        .put("session", first.body().path("session").asText());
                first = anonymous.call("POST", V3 + "/register", body, Duration.ofSeconds(30));
            }
            if (first.status() != 200) {
                throw new IllegalStateException("register " + localpart + " at " + base + ": " + first.status() + " "
                        + first.body());
            }
            return new ClientApi(base, first.body().path("user_id").asText(), first.body().path("access_token").asText());
        }
    }

    static ClientApi anonymous(String base) {
        return new ClientApi(base, null, null);
    }

    Response call(String method, String path, JsonNode body, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode parsed = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
            return new Response(response.statusCode(), parsed);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + path, e);
        }
    }

    /** A request that must answer 200; its body. */
    JsonNode ok(String method, String path, JsonNode body, Duration timeout) {
        Response r = call(method, path, body, timeout);
        if (r.status() != 200) {
            throw new IllegalStateException(userId + ": " + method + " " + path + " -> " + r.status() + " " + r.body());
        }
        return r.body();
    }

    JsonNode ok(String method, String path, JsonNode body) {
        return ok(method, path, body, Duration.ofSeconds(60));
    }

    /** {@code POST /createRoom}: a public room with the alias {@code #aliasName:server}; its id. */
    String createPublicRoom(String aliasName) {
        ObjectNode body = JSON.createObjectNode().put("preset", "public_chat").put("room_alias_name", aliasName);
        return ok("POST", V3 + "/createRoom", body).path("room_id").asText();
    }

    /** {@code POST /join/{roomIdOrAlias}}; the room id. */
    String join(String roomIdOrAlias, Duration timeout) {
        return ok("POST", V3 + "/join/" + enc(roomIdOrAlias), JSON.createObjectNode(), timeout).path("room_id").asText();
    }

    /** How many members {@code GET /rooms/{roomId}/joined_members} lists (-1 if it fails). */
    int joinedMemberCount(String roomId) {
        Response r = call("GET", V3 + "/rooms/" + enc(roomId) + "/joined_members", null, Duration.ofSeconds(60));
        return r.status() == 200 ? r.body().path("joined").size() : -1;
    }

    /** How many state events {@code GET /rooms/{roomId}/state} returns (-1 if it fails). */
    int stateSize(String roomId) {
        Response r = call("GET", V3 + "/rooms/" + enc(roomId) + "/state", null, Duration.ofSeconds(60));
        return r.status() == 200 ? r.body().size() : -1;
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        http.close();
    }
}
