package org.myelin.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the homeserver's PostgreSQL is.
 *
 * <p>With no {@code url}, Myelin runs its own embedded PostgreSQL with its files under
 * {@code <dataDir>/postgres}; with a {@code url} ({@code jdbc:postgresql://host:port/db}) it
 * connects to that server and {@code dataDir} is not used for the database.
 *
 * @param url         JDBC URL of an external PostgreSQL, or null for the embedded one
 * @param user        user for the external PostgreSQL, or null (then the URL or the driver decides)
 * @param password    password for the external PostgreSQL, or null
 * @param dataDir     the homeserver's data directory; required for the embedded database
 * @param maxPoolSize the most connections the pool opens
 */
public record DatabaseConfig(String url, String user, String password, Path dataDir, int maxPoolSize) {

    public static final int DEFAULT_MAX_POOL_SIZE = 10;

    public DatabaseConfig {
        if (url != null && url.isBlank()) {
            url = null;
        }
        if (url == null) {
            Objects.requireNonNull(dataDir, "dataDir is required for the embedded database");
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be at least 1, got " + maxPoolSize);
        }
    }

    /** The embedded PostgreSQL, kept under {@code <dataDir>/postgres}. */
    public static DatabaseConfig embedded(Path dataDir) {
        return new DatabaseConfig(null, null, null, dataDir, DEFAULT_MAX_POOL_SIZE);
    }

    /** An external PostgreSQL at a JDBC URL. */
    public static DatabaseConfig external(String url, String user, String password) {
        return new DatabaseConfig(Objects.requireNonNull(url, "url"), user, password, null, DEFAULT_MAX_POOL_SIZE);
    }

    public boolean isEmbedded() {
        return url == null;
    }

    public DatabaseConfig withMaxPoolSize(int size) {
        return new DatabaseConfig(url, user, password, dataDir, size);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "DatabaseConfig[url=" + url + ", user=" + user + ", password=" + (password == null ? null : "***")
                + ", dataDir=" + dataDir + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
