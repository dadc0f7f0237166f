package org.myelin.protocol.json;

/** JSON that canonical JSON cannot represent, or that breaks its rules. */
public class CanonicalJsonException extends IllegalArgumentException {
    public CanonicalJsonException(String message) {
        super(message);
    }

    public CanonicalJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
