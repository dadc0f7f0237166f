package org.myelin.server.http;

/**
 * A request failed in a way the client is told about: a Matrix error code, an HTTP status
 * and a message. Thrown from handlers and turned into the response by {@link ErrorMapper};
 * anything else thrown becomes a 500 M_UNKNOWN.
 */
public final class MatrixException extends RuntimeException {

    private final ErrCode errCode;
    private final int status;
    private final Long retryAfterMs;
    private final Boolean softLogout;
    private final String infoUri;

    private MatrixException(ErrCode errCode, int status, String message, Long retryAfterMs, Boolean softLogout) {
        this(errCode, status, message, retryAfterMs, softLogout, null);
    }

    private MatrixException(ErrCode errCode, int status, String message, Long retryAfterMs, Boolean softLogout,
                            String infoUri) {
        super(message, null, false, false); // an expected outcome: no stack trace to fill
        this.errCode = errCode;
        this.status = status;
        this.retryAfterMs = retryAfterMs;
        this.softLogout = softLogout;
        this.infoUri = infoUri;
    }

    /** An error with the code's usual status. */
    public static MatrixException of(ErrCode code, String message) {
        return new MatrixException(code, code.status(), message, null, null);
    }

    /** The same error sent with another HTTP status. */
    public MatrixException withStatus(int newStatus) {
        return new MatrixException(errCode, newStatus, getMessage(), retryAfterMs, softLogout, infoUri);
    }

    public static MatrixException forbidden(String message) {
        return of(ErrCode.M_FORBIDDEN, message);
    }

    public static MatrixException unknownToken(String message, boolean softLogout) {
        return new MatrixException(ErrCode.M_UNKNOWN_TOKEN, 401, message, null, softLogout);
    }

    /**
     * 401 M_USER_LOCKED with {@code soft_logout: true}: an admin locked the account (client-server
     * API, "Account locking"); the client keeps its session for when it is unlocked.
     */
    public static MatrixException userLocked() {
        return new MatrixException(ErrCode.M_USER_LOCKED, 401, "User account has been locked", null, true);
    }

    public static MatrixException missingToken() {
        return of(ErrCode.M_MISSING_TOKEN, "Missing access token");
    }

    public static MatrixException unauthorized(String message) {
        return of(ErrCode.M_UNAUTHORIZED, message);
    }

    public static MatrixException notFound(String message) {
        return of(ErrCode.M_NOT_FOUND, message);
    }

    public static MatrixException notJson(String message) {
        return of(ErrCode.M_NOT_JSON, message);
    }

    public static MatrixException badJson(String message) {
        return of(ErrCode.M_BAD_JSON, message);
    }

    public static MatrixException missingParam(String message) {
        return of(ErrCode.M_MISSING_PARAM, message);
    }

    public static MatrixException invalidParam(String message) {
        return of(ErrCode.M_INVALID_PARAM, message);
    }

    public static MatrixException userInUse(String message) {
        return of(ErrCode.M_USER_IN_USE, message);
    }

    public static MatrixException tooLarge(String message) {
        return of(ErrCode.M_TOO_LARGE, message);
    }

    public static MatrixException limitExceeded(long retryAfterMs) {
        return new MatrixException(ErrCode.M_LIMIT_EXCEEDED, 429, "Too many requests", retryAfterMs, null);
    }

    /**
     * 403 {@code M_USER_LIMIT_EXCEEDED}: the request would pass a limit of the user's account
     * (a storage quota), told about at {@code infoUri}.
     */
    public static MatrixException userLimitExceeded(String message, String infoUri) {
        return new MatrixException(ErrCode.M_USER_LIMIT_EXCEEDED, ErrCode.M_USER_LIMIT_EXCEEDED.status(), message,
                null, null, infoUri);
    }

    /** 404 for a path nothing serves. */
    public static MatrixException unrecognized() {
        return of(ErrCode.M_UNRECOGNIZED, "Unrecognized request");
    }

    /** 405 for a served path asked with a method it does not take. */
    public static MatrixException methodNotAllowed() {
        return new MatrixException(ErrCode.M_UNRECOGNIZED, 405, "Method not allowed on this endpoint", null, null);
    }

    /** M_UNKNOWN 400: the request was at fault in a way no other code describes. */
    public static MatrixException unknownBadRequest(String message) {
        return new MatrixException(ErrCode.M_UNKNOWN, 400, message, null, null);
    }

    public ErrCode errCode() {
        return errCode;
    }

    public int status() {
        return status;
    }

    /** The response body. */
    public MatrixError toError() {
        return new MatrixError(errCode.name(), getMessage(), retryAfterMs, softLogout, infoUri);
    }
}
