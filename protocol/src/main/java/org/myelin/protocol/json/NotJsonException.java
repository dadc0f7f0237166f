package org.myelin.protocol.json;

/** Bytes that are not JSON at all (as opposed to JSON that Matrix refuses). */
public final class NotJsonException extends CanonicalJsonException {
    public NotJsonException(String message) {
        super(message);
    }

    public NotJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
