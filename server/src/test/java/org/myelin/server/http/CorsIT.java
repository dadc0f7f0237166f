package org.myelin.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;

/** Client-server API, "Web Browser Clients". */
class CorsIT {

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static void assertCorsHeaders(HttpResponse<String> response) {
        assertEquals("*", response.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertEquals("GET, POST, PUT, DELETE, OPTIONS",
                response.headers().firstValue("Access-Control-Allow-Methods").orElse(null));
        assertEquals("X-Requested-With, Content-Type, Authorization",
                response.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
    }

    @Test
    void preflightIsAnsweredWithoutAuthOnAnyPath() {
        for (String path : new String[] {"/_matrix/client/versions", "/_matrix/client/v3/rooms/!r:x/send/m.room.message/1",
                "/_matrix/client/v3/sync"}) {
            HttpResponse<String> response = hs.send(HttpRequest.newBuilder(hs.clientUri(path))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.element.io")
                    .header("Access-Control-Request-Method", "PUT")
                    .header("Access-Control-Request-Headers", "authorization, content-type"));
            assertEquals(204, response.statusCode(), path);
            assertTrue(response.body().isEmpty());
            assertCorsHeaders(response);
        }
    }

    @Test
    void everyResponseCarriesTheHeaders() {
        assertCorsHeaders(hs.get("/_matrix/client/versions"));
        assertCorsHeaders(hs.get("/.well-known/matrix/client"));
        assertCorsHeaders(hs.get("/_matrix/client/v3/nothing"));
        assertCorsHeaders(hs.request("POST", "/_matrix/client/versions", "not json"));
    }
}
