package org.myelin.server.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;

/** {@code GET /.well-known/matrix/support} (client-server API, "Getting support information"). */
class SupportWellKnownIT {

    @Test
    void servesTheConfiguredContactsAndPageWithoutAuthentication() {
        HomeserverConfig.Support support = new HomeserverConfig.Support(List.of(
                new HomeserverConfig.SupportContact("@admin:example.org", "admin@example.org", "m.role.admin"),
                new HomeserverConfig.SupportContact(null, "security@example.org", "m.role.security")),
                "https://example.org/support.html");
        try (TestHomeserver hs = TestHomeserver.builder()
                .configure(c -> c.withWellKnown(new HomeserverConfig.WellKnown(null, null, support)))
                .start()) {
            HttpResponse<String> response = hs.get("/.well-known/matrix/support");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
            JsonNode body = TestHomeserver.json(response);
            assertEquals("https://example.org/support.html", body.path("support_page").asText());
            JsonNode admin = body.path("contacts").path(0);
            assertEquals("@admin:example.org", admin.path("matrix_id").asText());
            assertEquals("admin@example.org", admin.path("email_address").asText());
            assertEquals("m.role.admin", admin.path("role").asText());
            JsonNode security = body.path("contacts").path(1);
            assertEquals("security@example.org", security.path("email_address").asText());
            assertEquals("m.role.security", security.path("role").asText());
            assertFalse(security.has("matrix_id"), "no matrix_id where none is configured: " + body);
            assertEquals(2, body.path("contacts").size());
        }
    }

    @Test
    void onlyAPageOmitsTheContacts() {
        try (TestHomeserver hs = TestHomeserver.builder()
                .configure(c -> c.withWellKnown(new HomeserverConfig.WellKnown(null, null,
                        new HomeserverConfig.Support(List.of(), "https://example.org/help"))))
                .start()) {
            JsonNode body = TestHomeserver.json(hs.get("/.well-known/matrix/support"));
            assertEquals("https://example.org/help", body.path("support_page").asText());
            assertFalse(body.has("contacts"), "an empty contacts list would say there are none: " + body);
        }
    }

    @Test
    void notConfiguredIsNotFound() {
        try (TestHomeserver hs = TestHomeserver.start()) {
            HttpResponse<String> response = hs.get("/.well-known/matrix/support");
            assertEquals(404, response.statusCode(), response.body());
            assertEquals("M_NOT_FOUND", TestHomeserver.json(response).path("errcode").asText(), response.body());
        }
    }
}
