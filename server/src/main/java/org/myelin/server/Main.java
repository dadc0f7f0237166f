package org.myelin.server;

import ch.qos.logback.classic.Level;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.myelin.server.config.ConfigException;
import org.myelin.server.config.ConfigLoader;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.storage.DatabaseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java org.myelin.server.Main [--config FILE]}: loads the configuration, starts the
 * homeserver and stops it cleanly on SIGTERM or SIGINT (JVM shutdown hook). A problem the
 * operator can fix (configuration, database, ports) is reported in one line on stderr with a
 * non-zero exit: 2 for usage and configuration, 1 for everything else.
 */
public final class Main {

    private static final String USAGE = "usage: myelin [--config FILE]";
    private static final long START_TIMEOUT_SECONDS = 120;

    private Main() {}

    public static void main(String[] args) {
        int code = start(args, System.getenv());
        if (code != 0) {
            System.exit(code);
        }
        // Vert.x's non-daemon threads keep the process alive until the shutdown hook runs.
    }

    /** Starts the homeserver; returns 0 when it is running, else the exit code. */
    static int start(String[] args, Map<String, String> env) {
        HomeserverConfig config;
        try {
            config = ConfigLoader.load(configFile(args), env);
        } catch (ConfigException e) {
            System.err.println("myelin: config error: " + e.getMessage());
            return 2;
        }
        applyLogLevel(config.logLevel());
        Logger log = LoggerFactory.getLogger(Main.class);
        // Registered before start-up, so that a SIGTERM arriving mid-start still shuts down
        // what was started: the hook waits for start-up to finish, then closes.
        CompletableFuture<Homeserver> running = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(running, log), "myelin-shutdown"));
        try {
            running.complete(Homeserver.start(config));
        } catch (StartupException | DatabaseException | IllegalStateException | java.io.UncheckedIOException e) {
            running.complete(null);
            log.debug("Start-up failed", e);
            System.err.println("myelin: cannot start: " + e.getMessage());
            return 1;
        } catch (RuntimeException | Error e) {
            running.complete(null);
            throw e;
        }
        return 0;
    }

    private static void stop(CompletableFuture<Homeserver> running, Logger log) {
        try {
            Homeserver homeserver = running.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (homeserver != null) {
                log.info("Shutting down");
                homeserver.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Start-up did not finish; exiting without a clean shutdown");
        }
    }

    private static Optional<Path> configFile(String[] args) {
        Optional<Path> file = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c" -> {
                    if (i + 1 >= args.length) {
                        throw new ConfigException("--config", "needs a file name (" + USAGE + ")");
                    }
                    file = Optional.of(Path.of(args[++i]));
                }
                default -> throw new ConfigException(args[i], "unknown argument (" + USAGE + ")");
            }
        }
        return file;
    }

    /** {@code log_level} sets the level of Myelin's own loggers; libraries keep logback.xml's. */
    private static void applyLogLevel(String level) {
        if (LoggerFactory.getLogger("org.myelin") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
