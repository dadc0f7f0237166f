package org.myelin.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;

class VersionsIT {

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @Test
    void advertisesV11ToV116WithoutAuth() {
        HttpResponse<String> response = hs.get("/_matrix/client/versions");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
        JsonNode body = TestHomeserver.json(response);
        List<String> versions = new ArrayList<>();
        body.path("versions").forEach(v -> versions.add(v.asText()));
        List<String> expected = new ArrayList<>();
        for (int minor = 1; minor <= 16; minor++) {
            expected.add("v1." + minor);
        }
        assertEquals(expected, versions);
        assertTrue(body.path("unstable_features").isObject());
        // As Synapse: simplified sliding sync (MSC4186) is served.
        assertEquals("{\"org.matrix.simplified_msc3575\":true}", body.path("unstable_features").toString());
    }
}
