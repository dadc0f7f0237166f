package org.myelin.bench.e2ee;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.myelin.bench.federation.FederationRequestLog;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.TestHomeserver;
import org.slf4j.LoggerFactory;

/**
 * In-process Myelins for the benchmark, as the federation benchmark boots them: a
 * {@link TestHomeserver} each (own database in the JVM's embedded PostgreSQL, TLS federation on
 * loopback, cheap password hashing, no rate limits) with the production database pool size and
 * the federation tests' short retry backoff.
 */
public final class KeysServers {

    private KeysServers() {
    }

    /** A server whose federation listener's requests {@code log} counts and times. */
    static TestHomeserver boot(int pool, FederationRequestLog log) {
        return TestHomeserver.builder()
                .routes(Resource.FEDERATION, log)
                .configure(c -> c.withDatabase(new HomeserverConfig.Database(c.database().url(), c.database().user(),
                                c.database().password(), pool))
                        .withFederation(c.federation().withBackoff(200, 2_000)))
                .start();
    }

    static HttpPool client(TestHomeserver hs) {
        return new HttpPool("127.0.0.1", hs.clientPort());
    }

    /**
     * Myelin's own log, and its access log (configured apart, at INFO), at {@code level}: the
     * in-process servers would otherwise log every request, at a cost in CPU the figures would carry.
     */
    public static void logLevel(String level) {
        ((Logger) LoggerFactory.getLogger("org.myelin")).setLevel(Level.toLevel(level));
        ((Logger) LoggerFactory.getLogger("org.myelin.access")).setLevel(Level.toLevel(level));
    }
}
