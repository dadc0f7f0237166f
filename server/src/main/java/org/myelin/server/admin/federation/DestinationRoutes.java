package org.myelin.server.admin.federation;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.myelin.federation.client.Backoff;
import org.myelin.federation.outbound.OutboundQueue;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.rooms.MembershipRepository;

/**
 * The servers this one federates with and their retry timings (Synapse's admin API, "Federation
 * API"). A destination is known when one of its users shares a room with this server, or when
 * this process sent to it or failed to reach it. Retry timings are the federation client's
 * per-destination backoff, kept in memory: a restart forgets them, as it forgets the backoff.
 */
public final class DestinationRoutes implements Routes {

    private static final String DESTINATIONS = "/_synapse/admin/v1/federation/destinations";
    private static final List<String> ORDERS = List.of("destination", "retry_last_ts", "retry_interval", "failure_ts",
            "last_successful_stream_ordering");

    /** One destination; {@code failure_ts} and {@code last_successful_stream_ordering} may be null. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Destination(String destination, long retryLastTs, long retryInterval, Long failureTs,
                       Long lastSuccessfulStreamOrdering) {
    }

    record DestinationList(List<Destination> destinations, long total,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String nextToken) {
    }

    private final AdminAuth auth;
    private final Backoff backoff;
    private final Supplier<OutboundQueue> outbound;
    private final MembershipRepository memberships;
    private final String serverName;

    public DestinationRoutes(AdminAuth auth, Backoff backoff, Supplier<OutboundQueue> outbound,
                             MembershipRepository memberships, String serverName) {
        this.auth = auth;
        this.backoff = backoff;
        this.outbound = outbound;
        this.memberships = memberships;
        this.serverName = serverName;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(DESTINATIONS).handler(handlers.blocking(this::list));
        router.get(DESTINATIONS + "/:destination").handler(handlers.blocking(this::show));
        router.post(DESTINATIONS + "/:destination/reset_connection").handler(handlers.blocking(this::reset));
    }

    /** {@code GET /_synapse/admin/v1/federation/destinations}: {@code from}, {@code limit}, {@code destination}, {@code order_by}, {@code dir}. */
    JsonResponse list(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        long from = AdminParams.nonNegative(ctx, "from", 0);
        int limit = AdminParams.limit(ctx, 100);
        String filter = ctx.request().getParam("destination");
        String order = AdminParams.oneOf(ctx, "order_by", "destination", ORDERS);
        boolean backwards = AdminParams.backwards(ctx);
        List<Destination> all = known().stream().filter(d -> filter == null || d.contains(filter))
                .map(this::describe).sorted(order(order, backwards)).toList();
        List<Destination> page = all.stream().skip(from).limit(limit).toList();
        String next = from + limit < all.size() ? Long.toString(from + page.size()) : null;
        return JsonResponse.ok(new DestinationList(page, all.size(), next));
    }

    /** {@code GET /_synapse/admin/v1/federation/destinations/{destination}}: 404 if unknown. */
    JsonResponse show(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        return JsonResponse.ok(describe(knownDestination(ctx)));
    }

    /**
     * {@code POST /_synapse/admin/v1/federation/destinations/{destination}/reset_connection}: forgets
     * the destination's failures and sends what is queued for it now; 400 if it is not failing.
     */
    JsonResponse reset(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String destination = knownDestination(ctx);
        if (backoff.timing(destination).isEmpty()) {
            throw MatrixException.unknownBadRequest("The retry timing does not need to be reset for this destination.");
        }
        OutboundQueue queue = outbound.get();
        if (queue != null) {
            queue.retryNow(destination);
        } else {
            backoff.success(destination);
        }
        return JsonResponse.empty();
    }

    private String knownDestination(RoutingContext ctx) {
        String destination = ctx.pathParam("destination");
        if (!known().contains(destination)) {
            throw MatrixException.notFound("Unknown destination");
        }
        return destination;
    }

    private Set<String> known() {
        Set<String> known = new TreeSet<>(memberships.serversInRooms());
        known.addAll(backoff.failing());
        OutboundQueue queue = outbound.get();
        if (queue != null) {
            known.addAll(queue.destinationsSeen());
        }
        known.remove(serverName);
        return known;
    }

    private Destination describe(String destination) {
        Optional<Backoff.Timing> timing = backoff.timing(destination);
        return timing.map(t -> new Destination(destination, t.retryLastTs(), t.retryInterval(), t.failureTs(), null))
                .orElse(new Destination(destination, 0, 0, null, null));
    }

    private static Comparator<Destination> order(String name, boolean backwards) {
        Comparator<Destination> order = switch (name) {
            case "retry_last_ts" -> Comparator.comparingLong(Destination::retryLastTs);
            case "retry_interval" -> Comparator.comparingLong(Destination::retryInterval);
            case "failure_ts" -> Comparator.comparing(Destination::failureTs,
                    Comparator.nullsLast(Comparator.naturalOrder()));
            case "last_successful_stream_ordering" -> (a, b) -> 0;
            default -> Comparator.comparing(Destination::destination);
        };
        return (backwards ? order.reversed() : order).thenComparing(Destination::destination);
    }
}
