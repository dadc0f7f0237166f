package org.myelin.protocol.event;

/** An event that breaks the event format of its room version (wrong shape, oversize, bad id). */
public final class InvalidEventException extends IllegalArgumentException {
    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
