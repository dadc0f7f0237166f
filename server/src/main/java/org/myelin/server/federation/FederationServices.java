package org.myelin.server.federation;

import com.github.benmanes.caffeine.cache.Cache;
import io.vertx.core.Vertx;
import org.myelin.federation.FederationSettings;
import org.myelin.federation.auth.RequestAuthenticator;
import org.myelin.federation.client.Backoff;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.HttpTransport;
import org.myelin.federation.discovery.AddressResolver;
import org.myelin.federation.discovery.OutboundGuard;
import org.myelin.federation.discovery.Resolution;
import org.myelin.federation.discovery.ServerResolver;
import org.myelin.federation.discovery.VertxDns;
import org.myelin.federation.discovery.WellKnownResolver;
import org.myelin.federation.inbound.DirectToDevice;
import org.myelin.federation.inbound.EventServing;
import org.myelin.federation.inbound.InboundEdus;
import org.myelin.federation.inbound.RoomAccess;
import org.myelin.federation.inbound.TimestampServing;
import org.myelin.federation.inbound.TransactionReceiver;
import org.myelin.federation.keys.EventSignatures;
import org.myelin.federation.keys.KeyRing;
import org.myelin.federation.keys.LocalKeys;
import org.myelin.federation.media.RemoteMediaClient;
import org.myelin.federation.outbound.Edu;
import org.myelin.federation.outbound.OutboundQueue;
import org.myelin.federation.remote.FederationRemoteEvents;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.RoomServices;
import org.myelin.server.client.rooms.RemoteTimestamps;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.http.Routes;
import org.myelin.server.media.MediaForServers;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.federation.InboundTransactionRepository;
import org.myelin.storage.federation.OutboundQueueRepository;
import org.myelin.storage.federation.ServerKeyRepository;

import javax.sql.DataSource;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The federation side of the homeserver, wired by constructors: our keys and the key ring,
 * discovery and the HTTPS client (built first, since the rooms' pipeline checks signatures and
 * fetches events with them), then, once the rooms exist ({@link #connect}), the outbound queue
 * (plugged into the rooms as their outbox) and the inbound handlers behind the federation routes.
 */
public final class FederationServices implements AutoCloseable {

    public final FederationSettings settings;
    public final LocalKeys localKeys;
    public final KeyRing keyRing;
    public final EventSignatures signatures;
    public final Backoff backoff;
    public final FederationClient client;
    public final FederationRemoteEvents remoteEvents;
    public final RequestAuthenticator authenticator;
    private final HttpTransport transport;
    private final DataSource dataSource;
    private final Clock clock;
    private final DelegatingEdus edus = new DelegatingEdus();
    private OutboundQueue outbound;
    private TransactionReceiver receiver;
    private EventServing serving;
    private TimestampServing timestamps;

    public FederationServices(HomeserverConfig config, DataSource dataSource, SigningKey signingKey, Vertx vertx,
                              Clock clock) {
        this.settings = settings(config.federation());
        this.dataSource = dataSource;
        this.clock = clock;
        String serverName = config.serverName();
        this.localKeys = new LocalKeys(serverName, signingKey, new ServerKeyRepository(dataSource), clock,
                settings.keyValidity());
        this.backoff = new Backoff(settings.backoff(), clock);
        this.transport = new HttpTransport(vertx, settings, OutboundGuard.allowing(settings.outboundIpAllowlist()),
                AddressResolver.SYSTEM);
        WellKnownResolver wellKnown = new WellKnownResolver(this::fetchWellKnown, clock);
        ServerResolver resolver = new ServerResolver(new VertxDns(vertx, clock), wellKnown);
        this.client = new FederationClient(serverName, signingKey, resolver, transport, backoff);
        this.keyRing = new KeyRing(localKeys, new ServerKeyRepository(dataSource), client, settings.notaryServers(),
                clock);
        this.signatures = new EventSignatures(keyRing);
        this.remoteEvents = new FederationRemoteEvents(client, new EventRepository(dataSource), signatures);
        this.authenticator = new RequestAuthenticator(serverName, keyRing);
    }

    static FederationSettings settings(HomeserverConfig.Federation f) {
        return new FederationSettings(f.allowInsecureSelfSigned(), f.trustedCaPaths(), f.outboundIpAllowlist(),
                f.notaryServers(), Duration.ofMillis(f.keyValidityMs()),
                new FederationSettings.BackoffSettings(Duration.ofMillis(f.backoffInitialMs()),
                        Duration.ofMillis(f.backoffMaxMs())),
                Duration.ofMillis(f.requestTimeoutMs()));
    }

    /** {@code GET https://host/.well-known/matrix/server} through the guarded transport. */
    private WellKnownResolver.Response fetchWellKnown(URI url) throws Exception {
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
                : url.getHost();
        int port = url.getPort() < 0 ? 443 : url.getPort();
        String hostHeader = url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + port;
        String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        HttpTransport.Response r = transport.exchange(Resolution.of(host, port, hostHeader, host),
                new HttpTransport.Request("GET", target, Map.of(), null));
        return new WellKnownResolver.Response(r.status(), r.header("location"), r.header("cache-control"), r.body());
    }

    /**
     * Builds the outbound queue (plugged in as the rooms' outbox, and started: it catches up on
     * what is left from before) and the inbound handlers, on top of the rooms.
     */
    public void connect(RoomServices rooms) {
        OutboundQueueRepository queue = new OutboundQueueRepository(dataSource);
        this.outbound = new OutboundQueue(localKeys.serverName(), queue, rooms.memberships::joinedServers,
                client::sendTransaction, backoff, clock);
        rooms.useOutbox(outbound);
        outbound.start();
        remoteEvents.readLocalEventsFrom(rooms.eventCache);
        RoomAccess access = new RoomAccess(rooms.heads, rooms.eventCache, rooms.eventStates, rooms.memberships);
        this.receiver = new TransactionReceiver(new TransactionReceiver.Parts(rooms.pipeline, rooms.rooms,
                rooms.memberships, new InboundTransactionRepository(dataSource), signatures, access, edus, clock));
        this.serving = new EventServing(localKeys.serverName(), rooms.eventCache, rooms.events, rooms.eventStates,
                access, clock);
        this.timestamps = new TimestampServing(rooms.heads, access, rooms.timeline);
    }

    /** Where received typing notifications, receipts and presence go; logged and dropped until set. */
    public void useInboundEdus(InboundEdus inbound) {
        edus.target = inbound;
    }

    /** Where received to-device messages go; dropped until set. */
    public void useInboundToDevice(BiConsumer<String, DirectToDevice> inbound) {
        edus.toDevice = inbound;
    }

    /** Queues an EDU (typing, receipt, presence …) for each of {@code destinations} other than us. */
    public void queueEdu(Set<String> destinations, Edu edu) {
        for (String d : destinations) {
            outbound.queueEdu(d, edu);
        }
    }

    public OutboundQueue outbound() {
        return outbound;
    }

    /** Other servers' {@code /timestamp_to_event}, for the client-server API's; call after {@link #connect}. */
    public RemoteTimestamps remoteTimestamps(RoomServices rooms) {
        return new FederatedTimestamps(client, remoteEvents, rooms.pipeline, rooms.eventCache, rooms.heads);
    }

    /** Downloads other servers' media through the federation client (and its SSRF guard). */
    public RemoteMediaClient mediaClient() {
        return new RemoteMediaClient(client);
    }

    /** The federation media endpoints, serving {@code media} to other servers. */
    public Routes mediaRoutes(MediaForServers media) {
        return new MediaRoutes(auth(), media);
    }

    private FederationAuth auth() {
        return new FederationAuth(authenticator, origin -> {
            if (outbound != null) {
                outbound.remoteServerUp(origin);
            }
        });
    }

    /** The federation routes by resource: key publishing and notary, and the server-server API. Call after {@link #connect}. */
    public Map<Resource, List<Routes>> routes() {
        if (receiver == null) {
            throw new IllegalStateException("connect(rooms) first");
        }
        FederationAuth auth = auth();
        Map<Resource, List<Routes>> routes = new EnumMap<>(Resource.class);
        routes.put(Resource.KEYS, List.of(new KeyRoutes(keyRing, clock)));
        routes.put(Resource.FEDERATION, List.of(
                new VersionRoutes(),
                new TransactionRoutes(auth, receiver),
                new EventRoutes(auth, serving),
                new BackfillRoutes(auth, serving),
                new TimestampRoutes(auth, timestamps)));
        return routes;
    }

    /** Stops sending and receiving; the queue's rows stay for the next start. */
    @Override
    public void close() {
        if (outbound != null) {
            outbound.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        remoteEvents.close();
        signatures.close();
        transport.close();
    }

    /** Where received device list and signing key updates go; dropped until set. */
    public void useInboundDeviceLists(InboundEdus.DeviceLists inbound) {
        edus.deviceLists = inbound;
    }

    /** Forwards to whichever {@link InboundEdus} (and {@link InboundEdus.DeviceLists}) is set. */
    private static final class DelegatingEdus implements InboundEdus, InboundEdus.DeviceLists {
        private volatile InboundEdus target = InboundEdus.LOG_AND_DROP;
        private volatile BiConsumer<String, DirectToDevice> toDevice = InboundEdus.LOG_AND_DROP::toDevice;
        private volatile InboundEdus.DeviceLists deviceLists = InboundEdus.DeviceLists.DROP;

        @Override
        public void toDevice(String origin, DirectToDevice message) {
            toDevice.accept(origin, message);
        }

        @Override
        public void deviceListUpdate(String origin, DeviceListUpdate update) {
            deviceLists.deviceListUpdate(origin, update);
        }

        @Override
        public void signingKeyUpdate(String origin, SigningKeyUpdate update) {
            deviceLists.signingKeyUpdate(origin, update);
        }

        @Override
        public void typing(String origin, Typing typing) {
            target.typing(origin, typing);
        }

        @Override
        public void receipt(String origin, Receipt receipt) {
            target.receipt(origin, receipt);
        }

        @Override
        public void presence(String origin, Presence presence) {
            target.presence(origin, presence);
        }

        @Override
        public void other(String origin, String eduType, com.fasterxml.jackson.databind.node.ObjectNode content) {
            target.other(origin, eduType, content);
        }
    }

    /** Federation's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return signatures.caches();
    }
}
