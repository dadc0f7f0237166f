package org.myelin.storage;

/**
 * The database could not be started, reached or migrated. The message is meant for the
 * operator: it says which database and what went wrong, without a stack trace to read.
 */
public class DatabaseException extends RuntimeException {

    public DatabaseException(String message) {
        super(message);
    }

    public DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
