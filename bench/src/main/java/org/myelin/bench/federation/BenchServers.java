package org.myelin.bench.federation;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.TestHomeserver;
import org.slf4j.LoggerFactory;

/**
 * In-process Myelins for the benchmark: {@link TestHomeserver}s (own database in the JVM's
 * embedded PostgreSQL, TLS federation on loopback with self-signed certificates accepted) with the
 * production database pool size, a short retry backoff as in the federation tests, and a
 * {@link FederationRequestLog} on the federation listener.
 */
final class BenchServers {

    private BenchServers() {
    }

    static TestHomeserver boot(int pool, FederationRequestLog log) {
        return TestHomeserver.builder()
                .routes(Resource.FEDERATION, log)
                .configure(c -> c.withDatabase(new HomeserverConfig.Database(c.database().url(), c.database().user(),
                                c.database().password(), pool))
                        .withFederation(c.federation().withBackoff(200, 2_000)))
                .start();
    }

    static String clientBase(TestHomeserver hs) {
        return "http://127.0.0.1:" + hs.clientPort();
    }

    /** Myelin's own log at {@code level} (the in-process servers would otherwise log every request). */
    static void logLevel(String level) {
        ((Logger) LoggerFactory.getLogger("org.myelin")).setLevel(Level.toLevel(level));
    }
}
