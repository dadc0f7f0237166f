package org.myelin.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The standard error response body: {@code {"errcode": "M_…", "error": "…"}} plus the extra
 * keys some codes define ({@code retry_after_ms} for M_LIMIT_EXCEEDED, {@code soft_logout}
 * for M_UNKNOWN_TOKEN).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MatrixError(String errcode, String error, Long retryAfterMs, Boolean softLogout) {

    public MatrixError(String errcode, String error) {
        this(errcode, error, null, null);
    }
}
