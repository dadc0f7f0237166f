package org.myelin.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The homeserver's PostgreSQL: the embedded server or an external one, a connection pool
 * on top, and the schema migrated to the current version before anything else uses it.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** The database Myelin creates inside its embedded server. */
    static final String EMBEDDED_DATABASE = "myelin";

    private final EmbeddedPostgresServer embedded;
    private final HikariDataSource pool;
    private final String description;

    private Database(EmbeddedPostgresServer embedded, HikariDataSource pool, String description) {
        this.embedded = embedded;
        this.pool = pool;
        this.description = description;
    }

    /**
     * Starts (embedded) or reaches (external) PostgreSQL, opens the pool and applies pending
     * migrations. Throws {@link DatabaseException} with an operator-readable message.
     */
    public static Database open(DatabaseConfig config) {
        if (config.isEmbedded()) {
            return openEmbedded(config);
        }
        checkUrl(config.url());
        HikariDataSource pool = connect(config.url(), config.user(), config.password(), config.maxPoolSize());
        return migrated(new Database(null, pool, "PostgreSQL at " + safeUrl(config.url())));
    }

    private static Database openEmbedded(DatabaseConfig config) {
        Path dir = config.dataDir().resolve("postgres").toAbsolutePath().normalize();
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(
                dir, config.dataDir().resolve("postgres.log").toAbsolutePath().normalize(), EmbeddedPostgresServer.Mode.DURABLE);
        try {
            createDatabaseIfMissing(server.adminDataSource(), EMBEDDED_DATABASE);
            HikariDataSource pool = connect(server.jdbcUrl(EMBEDDED_DATABASE), EmbeddedPostgresServer.SUPERUSER, null,
                    config.maxPoolSize());
            return migrated(new Database(server, pool, "embedded PostgreSQL in " + dir + " (port " + server.port() + ")"));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static Database migrated(Database database) {
        try {
            Migrations.apply(database.pool);
            LOG.info("Database ready: {}", database.description);
            return database;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * Why PostgreSQL does not answer a query within {@code timeout}, or empty when it does. Asked
     * on a connection of its own, outside the pool: a lost server is seen at once, not after the
     * pool's wait for a connection, and the check never takes one from requests.
     */
    public Optional<String> problem(Duration timeout) {
        Properties properties = new Properties();
        if (pool.getUsername() != null) {
            properties.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            properties.setProperty("password", pool.getPassword());
        }
        String seconds = Long.toString(Math.max(1, timeout.toSeconds()));
        properties.setProperty("connectTimeout", seconds);
        properties.setProperty("socketTimeout", seconds);
        properties.setProperty("loginTimeout", seconds);
        try (Connection c = DriverManager.getConnection(pool.getJdbcUrl(), properties);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(EmbeddedPostgresServer.rootMessage(e));
        }
    }

    /**
     * Starts the embedded PostgreSQL again, on its data and port, if it has stopped without being
     * asked (killed, crashed); the pool's connections to the old one fail once and are replaced.
     * Returns whether it had stopped. An external PostgreSQL is not ours to start: false.
     */
    public boolean restartEmbeddedIfStopped() {
        if (embedded == null || embedded.running()) {
            return false;
        }
        embedded.restart();
        return true;
    }

    /**
     * Reports the connection pool's use (active, idle, pending, acquire and usage times) to
     * {@code registry}, under HikariCP's own {@code hikaricp_*} names. Once per pool.
     */
    public void recordTo(io.micrometer.core.instrument.MeterRegistry registry) {
        pool.setMetricsTrackerFactory(new com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory(registry));
    }

    /** The pooled data source; connections must be closed (try-with-resources) to return them. */
    public DataSource dataSource() {
        return pool;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /** Closes the pool, then stops the embedded server if there is one. Safe to call twice. */
    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            embedded.close();
        }
    }

    @Override
    public String toString() {
        return description;
    }

    private static void checkUrl(String url) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new DatabaseException("database.url '" + safeUrl(url)
                    + "' is not a PostgreSQL JDBC URL: expected jdbc:postgresql://HOST:PORT/DATABASE");
        }
    }

    private static HikariDataSource connect(String url, String user, String password, int maxPoolSize) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("myelin-db");
        hikari.setJdbcUrl(url);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(maxPoolSize);
        // Fail at start-up, not at the first request, when the database cannot be reached.
        hikari.setInitializationFailTimeout(1);
        hikari.setConnectionTimeout(10_000);
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new DatabaseException("cannot connect to PostgreSQL at " + safeUrl(url) + ": "
                    + EmbeddedPostgresServer.rootMessage(e), e);
        }
    }

    private static void createDatabaseIfMissing(DataSource admin, String name) {
        try (Connection c = admin.getConnection();
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = c.createStatement()) {
                // Identifier, not a parameter: the name is our constant, never user input.
                create.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot create database '" + name + "' in the embedded PostgreSQL: "
                    + e.getMessage(), e);
        }
    }

    /** The URL without its query string, which may carry a password. */
    static String safeUrl(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?…";
    }
}
