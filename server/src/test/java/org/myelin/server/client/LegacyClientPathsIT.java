package org.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What older clients still do and Synapse still accepts (matrix-nio 0.20, as Debian ships it):
 * r0 paths, the access token in the query string, and the dummy auth stage sent with the first
 * registration request, before any session exists.
 */
class LegacyClientPathsIT {

    static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @Test
    void registersInOneRequestOnR0WithTheDummyStageAndNoSession() {
        HttpResponse<String> response = hs.request("POST", "/_matrix/client/r0/register",
                "{\"username\":\"nio\",\"password\":\"a good long password\",\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = TestHomeserver.json(response);
        assertEquals("@nio:" + hs.serverName(), body.get("user_id").asText());

        HttpResponse<String> whoami = hs.get("/_matrix/client/r0/account/whoami?access_token="
                + body.get("access_token").asText());
        assertEquals(200, whoami.statusCode(), whoami.body());
        assertEquals("@nio:" + hs.serverName(), TestHomeserver.json(whoami).get("user_id").asText());
    }

    @Test
    void r0PathsAnswerLikeV3IncludingErrors() {
        HttpResponse<String> response = hs.get("/_matrix/client/r0/account/whoami");
        assertEquals(401, response.statusCode());
        assertEquals("M_MISSING_TOKEN", TestHomeserver.json(response).get("errcode").asText());
        assertEquals("*", response.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    }
}
