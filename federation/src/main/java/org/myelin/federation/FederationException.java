package org.myelin.federation;

/**
 * A federation request that this server refuses, as a Matrix error: an errcode and an HTTP
 * status. The federation listener's routes turn it into the error response; a rejected PDU in a
 * transaction is never one of these (it is an entry in the {@code /send} answer).
 */
public final class FederationException extends RuntimeException {

    private final int status;
    private final String errcode;
    private final String roomVersion;

    public FederationException(int status, String errcode, String message) {
        this(status, errcode, message, null);
    }

    private FederationException(int status, String errcode, String message, String roomVersion) {
        super(message, null, false, false);
        this.status = status;
        this.errcode = errcode;
        this.roomVersion = roomVersion;
    }

    /**
     * 400 M_INCOMPATIBLE_ROOM_VERSION: the asking server does not speak the room's version, which
     * the error names ({@code make_join}, {@code make_knock}, {@code invite}).
     */
    public static FederationException incompatibleRoomVersion(String roomVersion, String message) {
        return new FederationException(400, "M_INCOMPATIBLE_ROOM_VERSION", message, roomVersion);
    }

    /** 401 M_UNAUTHORIZED: a missing, malformed or wrong X-Matrix signature (server-server API, "Authentication"). */
    public static FederationException unauthorized(String message) {
        return new FederationException(401, "M_UNAUTHORIZED", message);
    }

    /** 403 M_FORBIDDEN: the requesting server may not see this (not in the room, or denied by the room's ACL). */
    public static FederationException forbidden(String message) {
        return new FederationException(403, "M_FORBIDDEN", message);
    }

    public static FederationException notFound(String message) {
        return new FederationException(404, "M_NOT_FOUND", message);
    }

    public static FederationException badJson(String message) {
        return new FederationException(400, "M_BAD_JSON", message);
    }

    public static FederationException notJson(String message) {
        return new FederationException(400, "M_NOT_JSON", message);
    }

    public static FederationException invalidParam(String message) {
        return new FederationException(400, "M_INVALID_PARAM", message);
    }

    public static FederationException missingParam(String message) {
        return new FederationException(400, "M_MISSING_PARAM", message);
    }

    public int status() {
        return status;
    }

    public String errcode() {
        return errcode;
    }

    /** The room version an M_INCOMPATIBLE_ROOM_VERSION error names; else null. */
    public String roomVersion() {
        return roomVersion;
    }
}
