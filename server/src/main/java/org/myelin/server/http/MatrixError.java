package org.myelin.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The standard error response body: {@code {"errcode": "M_…", "error": "…"}} plus the extra
 * keys some codes define ({@code retry_after_ms} for M_LIMIT_EXCEEDED, {@code soft_logout}
 * for M_UNKNOWN_TOKEN, {@code info_uri} for M_USER_LIMIT_EXCEEDED).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MatrixError(String errcode, String error, Long retryAfterMs, Boolean softLogout, String infoUri) {

    public MatrixError(String errcode, String error, Long retryAfterMs, Boolean softLogout) {
        this(errcode, error, retryAfterMs, softLogout, null);
    }

    public MatrixError(String errcode, String error) {
        this(errcode, error, null, null, null);
    }
}
