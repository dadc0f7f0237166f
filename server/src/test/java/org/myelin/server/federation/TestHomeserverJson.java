package org.myelin.server.federation;

import org.myelin.server.testing.TestHomeserver;

import java.net.http.HttpResponse;

/** Reading Matrix error answers in tests. */
final class TestHomeserverJson {

    private TestHomeserverJson() {
    }

    static String errcode(HttpResponse<String> response) {
        return TestHomeserver.json(response).path("errcode").asText();
    }
}
