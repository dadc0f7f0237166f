package org.myelin.server.client.thirdparty;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server without bridges: no protocol, nothing found, and only for a signed-in user. */
class ThirdPartyIT {

    static final String BASE = "/_matrix/client/v3/thirdparty";

    @Test
    void knowsNoProtocol() {
        try (TestHomeserver hs = TestHomeserver.start()) {
            TestUser alice = hs.registerUser("alice");
            HttpResponse<String> protocols = hs.authed(alice.accessToken(), "GET", BASE + "/protocols", null);
            assertEquals(200, protocols.statusCode());
            JsonNode body = TestHomeserver.json(protocols);
            assertTrue(body.isObject() && body.isEmpty(), body.toString());
            for (String path : new String[] {"/protocol/irc", "/location/irc?network=x", "/user/irc?nick=x"}) {
                HttpResponse<String> r = hs.authed(alice.accessToken(), "GET", BASE + path, null);
                assertEquals(404, r.statusCode(), path);
                assertEquals("M_NOT_FOUND", TestHomeserver.json(r).path("errcode").asText());
            }
            for (String path : new String[] {"/location?alias=%23a%3Ab", "/user?userid=%40a%3Ab"}) {
                HttpResponse<String> r = hs.authed(alice.accessToken(), "GET", BASE + path, null);
                assertEquals(200, r.statusCode(), path);
                assertEquals("[]", r.body().strip());
            }
            assertEquals(401, hs.request("GET", BASE + "/protocols", null).statusCode());
        }
    }
}
