package org.myelin.server.http;

import java.util.Objects;

/** What a handler answers: an HTTP status and a body serialised as JSON. */
public record JsonResponse(int status, Object body) {

    private static final Object EMPTY = java.util.Map.of();

    public JsonResponse {
        Objects.requireNonNull(body, "body");
    }

    /** 200 with this body. */
    public static JsonResponse ok(Object body) {
        return new JsonResponse(200, body);
    }

    /** 200 with {@code {}}, the answer of many Matrix endpoints. */
    public static JsonResponse empty() {
        return new JsonResponse(200, EMPTY);
    }
}
