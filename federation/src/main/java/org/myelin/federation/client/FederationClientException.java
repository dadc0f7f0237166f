package org.myelin.federation.client;

/**
 * An outbound federation request failed: the destination could not be reached (or is being
 * backed off, or its address is not allowed), answered with an error, or answered something that
 * is not what the spec says.
 */
public final class FederationClientException extends Exception {

    /** What went wrong. */
    public enum Kind {
        /** No connection, TLS failure, timeout, or every address refused by the SSRF guard. */
        UNREACHABLE,
        /** The destination is in backoff after recent failures; nothing was sent. */
        BACKING_OFF,
        /** An HTTP error status. */
        HTTP_ERROR,
        /** A 200 answer that is not the JSON expected. */
        BAD_RESPONSE
    }

    private final Kind kind;
    private final int status;
    private final String errcode;

    public FederationClientException(Kind kind, int status, String errcode, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.errcode = errcode;
    }

    public static FederationClientException unreachable(String message, Throwable cause) {
        return new FederationClientException(Kind.UNREACHABLE, 0, null, message, cause);
    }

    public static FederationClientException badResponse(String message) {
        return new FederationClientException(Kind.BAD_RESPONSE, 200, null, message, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 if there was no answer. */
    public int status() {
        return status;
    }

    /** The Matrix errcode of an error answer, or null. */
    public String errcode() {
        return errcode;
    }
}
