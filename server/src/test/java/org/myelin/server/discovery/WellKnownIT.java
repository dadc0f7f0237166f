package org.myelin.server.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;

class WellKnownIT {

    @Test
    void derivesBothDocumentsFromServerNameAndListeners() {
        try (TestHomeserver hs = TestHomeserver.start()) {
            HttpResponse<String> client = hs.get("/.well-known/matrix/client");
            assertEquals(200, client.statusCode());
            assertEquals("http://127.0.0.1:" + hs.clientPort(),
                    TestHomeserver.json(client).path("m.homeserver").path("base_url").asText());

            HttpResponse<String> server = hs.get("/.well-known/matrix/server");
            assertEquals(200, server.statusCode());
            assertEquals(hs.serverName(), TestHomeserver.json(server).path("m.server").asText(),
                    "127.0.0.1:<federation port>");
        }
    }

    @Test
    void configuredValuesWin() {
        try (TestHomeserver hs = TestHomeserver.builder()
                .configure(c -> c.withWellKnown(new HomeserverConfig.WellKnown("https://matrix.example.org",
                        "matrix.example.org:443")))
                .start()) {
            JsonNode client = TestHomeserver.json(hs.get("/.well-known/matrix/client"));
            assertEquals("https://matrix.example.org", client.path("m.homeserver").path("base_url").asText());
            JsonNode server = TestHomeserver.json(hs.get("/.well-known/matrix/server"));
            assertEquals("matrix.example.org:443", server.path("m.server").asText());
        }
    }
}
