package org.myelin.storage;

import java.sql.SQLException;

/** A database failure that the caller cannot fix by changing its input. */
public final class StorageException extends RuntimeException {
    public StorageException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    public StorageException(String message) {
        super(message);
    }

    /** The SQLSTATE of the underlying error, or null. */
    public String sqlState() {
        return getCause() instanceof SQLException sql ? sql.getSQLState() : null;
    }
}
