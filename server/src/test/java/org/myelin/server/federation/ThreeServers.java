package org.myelin.server.federation;

import org.myelin.server.config.Resource;
import org.myelin.server.testing.TestHomeserver;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Three Myelins on loopback for federation tests, each with its own database, data directory and
 * {@code 127.0.0.1:<port>} name, talking real HTTPS (self-signed certificates accepted, outbound
 * requests allowed to 127.0.0.0/8), with short retry backoff so that a server that comes back is
 * reached again within seconds, and a {@link PartitionFilter} each.
 */
final class ThreeServers implements AutoCloseable {

    final TestHomeserver a;
    final TestHomeserver b;
    final TestHomeserver c;
    private final List<PartitionFilter> filters;

    private ThreeServers(List<TestHomeserver> servers, List<PartitionFilter> filters) {
        this.a = servers.get(0);
        this.b = servers.get(1);
        this.c = servers.get(2);
        this.filters = filters;
    }

    static ThreeServers start() {
        PartitionFilter fa = new PartitionFilter();
        PartitionFilter fb = new PartitionFilter();
        PartitionFilter fc = new PartitionFilter();
        return new ThreeServers(List.of(server(fa), server(fb), server(fc)), List.of(fa, fb, fc));
    }

    private static TestHomeserver server(PartitionFilter filter) {
        return TestHomeserver.builder()
                .routes(Resource.FEDERATION, filter)
                .configure(c -> c.withFederation(c.federation().withBackoff(200, 2_000)))
                .start();
    }

    List<TestHomeserver> all() {
        return List.of(a, b, c);
    }

    private PartitionFilter filter(TestHomeserver hs) {
        return filters.get(all().indexOf(hs));
    }

    /** Cuts federation between {@code side} and every other server, both ways. */
    void isolate(TestHomeserver... side) {
        List<TestHomeserver> inside = List.of(side);
        for (TestHomeserver in : inside) {
            for (TestHomeserver out : all()) {
                if (!inside.contains(out)) {
                    filter(in).cutOff(out.serverName());
                    filter(out).cutOff(in.serverName());
                }
            }
        }
    }

    /** Lets every server reach every other again. */
    void heal() {
        filters.forEach(PartitionFilter::heal);
    }

    /** Waits for {@code condition}; fails with {@code what} (and the last {@code detail}) past the deadline. */
    static void await(String what, BooleanSupplier condition, Supplier<Object> detail) {
        Instant deadline = Instant.now().plus(MatrixClient.DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("never happened: " + what + " (last seen: " + detail.get() + ")");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }

    @Override
    public void close() {
        for (TestHomeserver hs : List.of(c, b, a)) {
            hs.close();
        }
    }
}
