package org.myelin.server;

/** The homeserver cannot start for a reason the operator can fix; the message says which. */
public final class StartupException extends RuntimeException {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
