package org.myelin.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.TestHomeserver;

/** Every failure on the wire is a Matrix error, whatever caused it. */
class HttpErrorsIT {

    private static TestHomeserver hs;

    /** A request body with a rule its constructor checks. */
    record Greeting(String name, int count) {
        Greeting {
            if (count < 0) {
                throw new IllegalArgumentException("count must not be negative");
            }
        }
    }

    /** Test-only endpoints. */
    static final class TestRoutes implements Routes {
        @Override
        public void mount(io.vertx.ext.web.Router router, Handlers handlers) {
            router.post("/_test/echo").handler(handlers.blocking(ctx -> JsonResponse.ok(Json.bind(ctx, Greeting.class))));
            router.get("/_test/boom").handler(handlers.blocking(ctx -> {
                throw new IllegalStateException("secret internal detail");
            }));
            router.get("/_test/limited").handler(handlers.blocking(ctx -> {
                throw MatrixException.limitExceeded(1500);
            }));
            router.get("/_test/forbidden").handler(handlers.blocking(ctx -> {
                throw MatrixException.forbidden("You are not invited to this room.");
            }));
        }
    }

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder()
                .routes(Resource.CLIENT, new TestRoutes())
                .start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static void assertError(HttpResponse<String> response, int status, String errcode) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
        JsonNode body = TestHomeserver.json(response);
        assertEquals(errcode, body.path("errcode").asText(), response.body());
        assertTrue(body.path("error").isTextual(), "error is always present: " + response.body());
    }

    @Test
    void unknownPathIs404Unrecognized() {
        assertError(hs.get("/_matrix/client/v3/no/such/endpoint"), 404, "M_UNRECOGNIZED");
        assertError(hs.get("/"), 404, "M_UNRECOGNIZED");
    }

    @Test
    void federationPathOnTheClientOnlyListenerIsUnrecognized() {
        assertError(hs.get("/_matrix/federation/v1/version"), 404, "M_UNRECOGNIZED");
    }

    @Test
    void knownPathWithWrongMethodIs405Unrecognized() {
        assertError(hs.request("POST", "/_matrix/client/versions", "{}"), 405, "M_UNRECOGNIZED");
        assertError(hs.request("DELETE", "/_test/echo", null), 405, "M_UNRECOGNIZED");
    }

    @Test
    void bodyThatIsNotJsonIsNotJson() {
        assertError(hs.request("POST", "/_test/echo", "name=alice"), 400, "M_NOT_JSON");
        assertError(hs.request("POST", "/_test/echo", "{\"name\": "), 400, "M_NOT_JSON");
        assertError(hs.request("POST", "/_test/echo", null), 400, "M_NOT_JSON");
    }

    @Test
    void jsonOfTheWrongShapeIsBadJson() {
        HttpResponse<String> wrongType = hs.request("POST", "/_test/echo", "{\"name\": \"alice\", \"count\": \"many\"}");
        assertError(wrongType, 400, "M_BAD_JSON");
        assertTrue(TestHomeserver.json(wrongType).path("error").asText().contains("'count'"), wrongType.body());

        assertError(hs.request("POST", "/_test/echo", "[1, 2]"), 400, "M_BAD_JSON");
        HttpResponse<String> rejected = hs.request("POST", "/_test/echo", "{\"name\": \"alice\", \"count\": -1}");
        assertError(rejected, 400, "M_BAD_JSON");
        assertEquals("count must not be negative", TestHomeserver.json(rejected).path("error").asText());
    }

    @Test
    void wellFormedBodyIsBoundToTheRecord() {
        HttpResponse<String> ok = hs.request("POST", "/_test/echo", "{\"name\": \"alice\", \"count\": 2, \"extra\": true}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("{\"name\":\"alice\",\"count\":2}", ok.body());
    }

    @Test
    void oversizeBodyIsTooLarge() {
        String big = "{\"name\": \"" + "a".repeat((int) BodyLimit.JSON.maxBytes()) + "\", \"count\": 1}";
        assertError(hs.request("POST", "/_test/echo", big), 413, "M_TOO_LARGE");
        // Chunked, without a Content-Length to refuse up front.
        HttpResponse<String> chunked = hs.send(HttpRequest.newBuilder(hs.clientUri("/_test/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))));
        assertError(chunked, 413, "M_TOO_LARGE");
    }

    @Test
    void uriTooLongIsAMatrixError() {
        // Refused by the HTTP decoder before any route is tried; the connection is closed, and
        // the client told so, or it may send its next request on it and get no answer.
        HttpResponse<String> response = hs.get("/_matrix/client/v3/profile/" + "a".repeat(20_000));
        assertError(response, 414, "M_UNKNOWN");
        assertEquals("close", response.headers().firstValue("Connection").orElse(null));
    }

    @Test
    void headersTooLargeAreAMatrixError() {
        HttpResponse<String> response = hs.send(HttpRequest.newBuilder(hs.clientUri("/_matrix/client/versions"))
                .header("X-Padding", "b".repeat(10_000)).GET());
        assertError(response, 431, "M_UNKNOWN");
        assertEquals("close", response.headers().firstValue("Connection").orElse(null));
    }

    @Test
    void unexpectedFailureIs500UnknownWithoutDetails() {
        HttpResponse<String> response = hs.get("/_test/boom");
        assertError(response, 500, "M_UNKNOWN");
        assertFalse(response.body().contains("secret internal detail"), response.body());
        assertFalse(response.body().contains("Exception"), response.body());
        assertFalse(response.body().contains("at org."), response.body());
        assertTrue(TestHomeserver.json(response).path("error").asText().matches("Internal server error \\(correlation id [0-9a-f]{16}\\)"),
                response.body());
    }

    @Test
    void matrixExceptionKeepsItsCodeAndMessage() {
        HttpResponse<String> response = hs.get("/_test/forbidden");
        assertError(response, 403, "M_FORBIDDEN");
        assertEquals("You are not invited to this room.", TestHomeserver.json(response).path("error").asText());
    }

    @Test
    void rateLimitCarriesRetryAfter() {
        HttpResponse<String> response = hs.get("/_test/limited");
        assertError(response, 429, "M_LIMIT_EXCEEDED");
        assertEquals(1500, TestHomeserver.json(response).path("retry_after_ms").asLong());
        assertEquals("2", response.headers().firstValue("Retry-After").orElse(null));
    }
}
