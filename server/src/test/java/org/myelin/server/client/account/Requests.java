package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;

/** Request bodies and response readers shared by the account tests. */
final class Requests {

    private Requests() {}

    static ObjectNode object() {
        return Json.MAPPER.createObjectNode();
    }

    /** A password login body with an {@code m.id.user} identifier. */
    static String login(String user, String password) {
        ObjectNode body = object().put("type", "m.login.password").put("password", password);
        body.putObject("identifier").put("type", "m.id.user").put("user", user);
        return body.toString();
    }

    /** An {@code m.login.password} auth dict for UIA. */
    static ObjectNode passwordAuth(String userId, String password, String session) {
        ObjectNode auth = object().put("type", "m.login.password").put("password", password);
        auth.putObject("identifier").put("type", "m.id.user").put("user", userId);
        if (session != null) {
            auth.put("session", session);
        }
        return auth;
    }

    static JsonNode json(HttpResponse<String> response) {
        return TestHomeserver.json(response);
    }

    static String errcode(HttpResponse<String> response) {
        return json(response).path("errcode").asText(null);
    }

    static String session(HttpResponse<String> response) {
        return json(response).path("session").asText();
    }
}
