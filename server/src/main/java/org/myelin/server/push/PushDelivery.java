package org.myelin.server.push;

import io.vertx.core.Vertx;
import org.myelin.federation.client.TlsTrust;
import org.myelin.federation.discovery.AddressResolver;
import org.myelin.federation.discovery.OutboundGuard;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.storage.push.PushActionRepository;
import org.myelin.storage.push.PusherRepository;

import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * Push delivery, wired by constructors: the users' pushers and the pool of HTTP pushers that
 * send their push actions to push gateways. Outbound requests obey outbound federation's address
 * guard and trust ({@code federation.outbound_ip_allowlist}, {@code federation.trusted_ca_paths}).
 */
public final class PushDelivery implements AutoCloseable {

    /**
     * What delivery reads.
     *
     * @param timelinePosition the timeline's current position
     */
    public record Parts(PushActionRepository actions, PusherRepository pushers, EventCache events, RoomHeads heads,
                        LongSupplier timelinePosition) {
    }

    public final Pushers pushers;
    public final PusherPool pool;

    public PushDelivery(Parts parts, Vertx vertx, HomeserverConfig.Federation federation, Clock clock) {
        PushGatewayClient gateway = new PushGatewayClient(vertx, OutboundGuard.allowing(federation.outboundIpAllowlist()),
                AddressResolver.SYSTEM, TlsTrust.systemPlus(federation.trustedCaPaths()));
        GatewayNotifications notifications = new GatewayNotifications(parts.events(), parts.actions(),
                new RoomNames(parts.heads(), parts.events()));
        this.pool = new PusherPool(parts.pushers(), parts.actions(), notifications, gateway, clock);
        this.pushers = new Pushers(parts.pushers(), pool, parts.timelinePosition(), clock);
    }

    @Override
    public void close() {
        pool.close();
    }
}
