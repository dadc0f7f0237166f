package org.myelin.server.http;

/**
 * Matrix error codes with the HTTP status each is normally sent with (client-server API,
 * "Standard error response" and "Common error codes"; Synapse where the spec names none).
 * {@link MatrixException} can override the status where the spec asks for another one.
 */
public enum ErrCode {
    M_FORBIDDEN(403),
    M_UNKNOWN_TOKEN(401),
    M_MISSING_TOKEN(401),
    M_USER_LOCKED(401),
    M_USER_SUSPENDED(403),
    M_USER_DEACTIVATED(403),
    M_BAD_JSON(400),
    M_NOT_JSON(400),
    M_NOT_FOUND(404),
    M_LIMIT_EXCEEDED(429),
    /** 404 for an unknown endpoint, 405 for a known one with the wrong method. */
    M_UNRECOGNIZED(404),
    /** 500 by default; 400 when the request itself was at fault. */
    M_UNKNOWN(500),
    M_UNAUTHORIZED(401),
    M_TOO_LARGE(413),
    M_MISSING_PARAM(400),
    M_INVALID_PARAM(400),
    M_USER_IN_USE(400),
    M_INVALID_USERNAME(400),
    M_WEAK_PASSWORD(400),
    M_EXCLUSIVE(400),
    M_ROOM_IN_USE(400),
    M_BAD_ALIAS(400),
    M_INVALID_ROOM_STATE(400),
    M_BAD_STATE(400),
    M_UNSUPPORTED_ROOM_VERSION(400),
    M_INCOMPATIBLE_ROOM_VERSION(400),
    M_GUEST_ACCESS_FORBIDDEN(403),
    M_THREEPID_IN_USE(400),
    M_THREEPID_NOT_FOUND(400),
    M_THREEPID_AUTH_FAILED(401),
    M_THREEPID_DENIED(403),
    M_SERVER_NOT_TRUSTED(403),
    M_THREEPID_MEDIUM_NOT_SUPPORTED(400),
    M_CAPTCHA_NEEDED(401),
    M_CAPTCHA_INVALID(400),
    M_RESOURCE_LIMIT_EXCEEDED(403),
    /** Added in v1.18: a limit of the user's account (a storage quota); needs {@code info_uri}. */
    M_USER_LIMIT_EXCEEDED(403),
    M_CANNOT_LEAVE_SERVER_NOTICE_ROOM(403),
    M_UNABLE_TO_AUTHORISE_JOIN(400),
    M_UNABLE_TO_GRANT_JOIN(502),
    M_DUPLICATE_ANNOTATION(400),
    M_NOT_YET_UPLOADED(504),
    M_CANNOT_OVERWRITE_MEDIA(409),
    M_WRONG_ROOM_KEYS_VERSION(403),
    M_INVITE_BLOCKED(403),
    /** A key or signature that does not verify (end-to-end encryption keys, cross-signing). */
    M_INVALID_SIGNATURE(400),
    /** A profile field key over 255 bytes (PUT /profile/{userId}/{keyName}). */
    M_KEY_TOO_LARGE(400),
    /** A profile that would exceed 64 KiB. */
    M_PROFILE_TOO_LARGE(400),
    /** A sliding sync position the server does not know (any more): the client starts its connection again (MSC4186). */
    M_UNKNOWN_POS(400);

    private final int status;

    ErrCode(int status) {
        this.status = status;
    }

    /** The HTTP status this code is sent with unless a {@link MatrixException} says otherwise. */
    public int status() {
        return status;
    }
}
