package org.myelin.server;

import com.github.benmanes.caffeine.cache.Cache;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.myelin.server.admin.MediaAdminRoutes;
import org.myelin.server.appservice.AppService;
import org.myelin.server.appservice.AppServices;
import org.myelin.server.admin.AdminServices;
import org.myelin.server.admin.RegistrationTokenRoutes;
import org.myelin.server.admin.SharedSecretRegistrationRoutes;
import org.myelin.server.client.VersionsRoutes;
import org.myelin.server.client.account.AccountRoutes;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.account.DehydratedDeviceRoutes;
import org.myelin.server.client.account.DehydratedDevices;
import org.myelin.server.client.account.DeviceRoutes;
import org.myelin.server.client.account.LoginRoutes;
import org.myelin.server.client.account.LoginTokenRoutes;
import org.myelin.server.client.account.OpenIdRoutes;
import org.myelin.server.client.account.RegisterRoutes;
import org.myelin.server.client.account.ThirdPartyIdRoutes;
import org.myelin.server.client.capabilities.CapabilitiesRoutes;
import org.myelin.server.client.presence.PresenceRoutes;
import org.myelin.server.client.profile.ProfileRoutes;
import org.myelin.server.client.push.PushRulesRoutes;
import org.myelin.server.client.accountdata.AccountDataRoutes;
import org.myelin.server.client.accountdata.TagRoutes;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.directory.AliasRoutes;
import org.myelin.server.client.keys.KeysServices;
import org.myelin.server.client.directory.RoomDirectoryRoutes;
import org.myelin.server.client.directory.UserDirectoryRoutes;
import org.myelin.server.client.push.PushActionRecorder;
import org.myelin.server.client.search.RoomSearch;
import org.myelin.server.client.search.SearchRoutes;
import org.myelin.server.client.spaces.SpaceServices;
import org.myelin.server.client.upgrade.RoomUpgradeRoutes;
import org.myelin.server.client.upgrade.RoomUpgrades;
import org.myelin.server.client.reports.ReportRoutes;
import org.myelin.storage.reports.ReportRepository;
import org.myelin.server.client.thirdparty.ThirdPartyRoutes;
import org.myelin.server.client.voip.TurnServerRoutes;
import org.myelin.server.client.rooms.ClientRooms;
import org.myelin.server.client.rooms.GuestAccessRevocation;
import org.myelin.server.client.rooms.CreateRoomRoutes;
import org.myelin.server.client.rooms.MembershipRoutes;
import org.myelin.server.client.rooms.MutualRoomsRoutes;
import org.myelin.server.client.rooms.RelationsRoutes;
import org.myelin.server.client.rooms.RoomEventsRoutes;
import org.myelin.server.client.rooms.RoomStateRoutes;
import org.myelin.server.client.rooms.SendRoutes;
import org.myelin.server.client.rooms.ThirdPartyInvites;
import org.myelin.server.identity.IdentityServerClient;
import org.myelin.server.identity.IdentityServers;
import org.myelin.server.client.receipts.ReadMarkersRoutes;
import org.myelin.server.client.receipts.ReceiptRoutes;
import org.myelin.server.client.sync.FilterRoutes;
import org.myelin.server.client.sync.LegacySyncRoutes;
import org.myelin.server.client.sync.SyncRoutes;
import org.myelin.server.client.sync.SyncServices;
import org.myelin.server.client.sync.sliding.SlidingSyncRoutes;
import org.myelin.server.client.sync.sliding.SlidingSyncServices;
import org.myelin.server.client.keys.backup.BackupKeysRoutes;
import org.myelin.server.client.keys.backup.BackupVersionRoutes;
import org.myelin.server.client.keys.backup.KeyBackups;
import org.myelin.server.client.todevice.ToDeviceRoutes;
import org.myelin.server.client.todevice.ToDeviceServices;
import org.myelin.server.client.typing.TypingRoutes;
import org.myelin.server.client.ratelimit.RateLimiters;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.federation.FederationServices;
import org.myelin.server.federation.KeysFederation;
import org.myelin.server.federation.MembershipFederation;
import org.myelin.server.federation.SpacesFederation;
import org.myelin.server.federation.OpenIdUserInfoRoutes;
import org.myelin.server.config.Resource;
import org.myelin.server.config.ServerNames;
import org.myelin.server.discovery.WellKnownRoutes;
import org.myelin.server.health.HealthRoutes;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.RequestBodies;
import org.myelin.server.http.ListenerRouter;
import org.myelin.server.metrics.MetricsRoutes;
import org.myelin.server.metrics.ServerMetrics;
import org.myelin.server.http.Routes;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.keys.NativeEd25519;
import org.myelin.server.media.MediaServices;
import org.myelin.storage.keys.backup.KeyBackupRepository;
import org.myelin.storage.search.EventSearchRepository;
import org.myelin.server.keys.SigningKeyStore;
import org.myelin.server.tls.SelfSignedCertificate;
import org.myelin.server.tls.TlsFiles;
import org.myelin.rooms.LocalServer;
import org.myelin.storage.Database;
import org.myelin.storage.DatabaseHealth;
import java.time.Duration;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running homeserver: database, signing key, Vert.x and one HTTP server per listener,
 * wired by constructors. {@link #start} brings it up; {@link #close} takes it down in reverse
 * order (listeners, in-flight handlers, Vert.x, database).
 */
public final class Homeserver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Homeserver.class);
    private static final long HANDLER_DRAIN_SECONDS = 10;

    private final HomeserverConfig config;
    private final Database database;
    private final DataSource dataSource;
    private final DatabaseHealth health;
    private final RequestBodies requestBodies;
    private final SigningKey signingKey;
    private final RoomServices rooms;
    private final FederationServices federation;
    private final MembershipFederation membership;
    private final IdentityServers identityServers;
    private final KeysFederation keysFederation;
    private final AccountServices accounts;
    private final UserServices users;
    private final ClientRooms clientRooms;
    private final SyncServices sync;
    private final SlidingSyncServices slidingSync;
    private final KeysServices keys;
    private final ToDeviceServices toDevice;
    private final KeyBackups keyBackups;
    private final RoomSearch search;
    private final SpaceServices spaces;
    private final SpacesFederation spacesFederation;
    private final RoomUpgrades upgrades;
    private final MediaServices media;
    private final PushServices push;
    private final AdminServices admin;
    private final AppServices appServices;
    private final ExecutorService handlerThreads;
    private final Vertx vertx;
    private final ServerMetrics metrics;
    private final List<HttpListener> listeners = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Homeserver(HomeserverConfig config, Database database, DataSource dataSource, SigningKey signingKey) {
        this.config = config;
        this.database = database;
        this.dataSource = dataSource;
        this.requestBodies = new RequestBodies(config.requestBodies());
        this.signingKey = signingKey;
        // First of the parts: they fail on a registration file or a media directory they cannot use,
        // before threads are started.
        List<AppService> appServiceRegistrations = AppServices.read(config.appServiceConfigFiles(),
                config.serverName());
        this.media = new MediaServices(config, dataSource, Clock.systemUTC());
        this.handlerThreads = Executors.newVirtualThreadPerTaskExecutor();
        this.metrics = ServerMetrics.of(config);
        this.vertx = metrics.newVertx();
        Clock clock = Clock.systemUTC();
        this.federation = new FederationServices(config, dataSource, signingKey, vertx, clock);
        media.downloadRemoteWith(federation.mediaClient());
        long eventCacheBytes = config.caches().eventCacheBytes(Runtime.getRuntime().maxMemory());
        this.rooms = new RoomServices(dataSource, new LocalServer(config.serverName(), signingKey), clock,
                eventCacheBytes, new RoomServices.Peers(federation.signatures, federation.remoteEvents));
        LOG.info("Event cache: up to {} MiB of events (heap: up to {} MiB)", eventCacheBytes >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
        federation.connect(rooms);
        this.accounts = new AccountServices(dataSource, config, Clock.systemUTC());
        this.users = new UserServices(dataSource, rooms, accounts, Clock.systemUTC());
        this.clientRooms = new ClientRooms(rooms, dataSource, accounts.rateLimiters.message(),
                config.roomVersionByDefault());
        // Member events carry the user's display name and avatar, as clients show them.
        this.clientRooms.useProfiles(users.profiles);
        this.clientRooms.useRemoteTimestamps(federation.remoteTimestamps(rooms));
        rooms.onCommit(new GuestAccessRevocation(clientRooms.access, clientRooms.actions, rooms.memberships,
                accounts.accounts, rooms.local)::committed);
        this.search = new RoomSearch(new EventSearchRepository(dataSource), rooms.memberships, rooms.eventCache,
                clientRooms.visibility, clientRooms.clientEvents, clientRooms.timeline, clientRooms.access);
        this.keysFederation = new KeysFederation(federation, rooms, dataSource);
        this.keys = new KeysServices(dataSource, rooms, accounts, keysFederation.remoteKeys(), clock);
        keysFederation.serve(keys.served());
        this.sync = new SyncServices(rooms, dataSource, new SyncServices.Parts(clientRooms.clientEvents,
                clientRooms.visibility, users.presence, users.push,
                userId -> Map.of("m.push_rules", users.pushRules.accountDataContent(userId)), keys.counts()));
        clientRooms.useIgnoredSenders(sync.accountData.ignoredUsers());
        // Unread counts keep what each event gave when it arrived, as Synapse's do: new rules apply to new events.
        users.onPushRulesChanged(userId -> {
            sync.accountData.put(userId, null, "m.push_rules", users.pushRules.accountDataContent(userId));
        });
        this.toDevice = new ToDeviceServices(sync.toDevice, rooms.streams, rooms.local, federation.outbound()::queued,
                clock);
        federation.useInboundToDevice(toDevice.receiver);
        this.keyBackups = new KeyBackups(new KeyBackupRepository(dataSource));
        accounts.addLifecycleListener(keyBackups);
        this.identityServers = new IdentityServers(new IdentityServerClient(vertx, config.federation()));
        this.membership = new MembershipFederation(federation, rooms, clientRooms, sync,
                new MembershipFederation.Parts(accounts.authenticator, users.profiles, users.presence, identityServers));
        this.spaces = new SpaceServices(new SpaceServices.Parts(rooms.heads, rooms.eventCache, rooms.memberships,
                clientRooms.directoryRepository, rooms.local, clientRooms.aliases::resolve));
        this.spacesFederation = new SpacesFederation(federation, spaces, config.serverName());
        this.slidingSync = new SlidingSyncServices(rooms, dataSource, sync.shared, spaces.summaries);
        this.upgrades = new RoomUpgrades(new RoomUpgrades.Parts(clientRooms.actions, clientRooms.access,
                clientRooms.aliases, rooms.pipeline, rooms.eventCache, rooms.memberships,
                clientRooms.directoryRepository, rooms.local, clock, clientRooms.creation::newRoomId),
                clientRooms.memberships, users.pushRules, sync.accountData);
        this.push = new PushServices(dataSource, rooms, users.push, sync.notifiedUsers, clientRooms.clientEvents, vertx,
                config.federation());
        accounts.addLifecycleListener(push.delivery.pushers);
        push.start();
        this.admin = new AdminServices(new AdminServices.Parts(config, dataSource, accounts, users, rooms, clientRooms,
                sync.accountData, federation));
        this.appServices = AppServices.wire(appServiceRegistrations, new AppServices.Parts(dataSource, vertx, rooms,
                clientRooms, accounts, users.profiles,
                new AppServices.Ephemeral(sync.typing, sync.receipts, toDevice, users.presence)));
        media.start(vertx);
        recordMetrics(database);
        // Last: nothing after it can fail and leave it watching a database closed under it.
        this.health = DatabaseHealth.watch(database, Duration.ofMillis(config.database().healthCheckIntervalMs()));
    }

    private void recordMetrics(Database database) {
        if (!metrics.enabled()) {
            return;
        }
        database.recordTo(metrics.registry());
        rooms.persister.recordTo(metrics.registry());
        federation.outbound().recordTo(metrics.registry());
        metrics.recordCaches(caches());
    }

    /** Every cache of the server by its name (each name once), for the metrics. */
    private Map<String, Cache<?, ?>> caches() {
        Map<String, Cache<?, ?>> caches = new TreeMap<>();
        for (Map<String, Cache<?, ?>> part : List.of(rooms.caches(), accounts.caches(), users.caches(),
                clientRooms.caches(), sync.caches(), slidingSync.caches(), keys.caches(), push.caches(),
                federation.caches(), spaces.caches(), spacesFederation.caches(), upgrades.caches(), admin.caches(),
                media.caches())) {
            part.forEach((name, cache) -> {
                if (caches.putIfAbsent(name, cache) != null) {
                    throw new IllegalStateException("two caches named " + name);
                }
            });
        }
        return caches;
    }

    /** Starts a homeserver with the built-in routes. */
    public static Homeserver start(HomeserverConfig config) {
        return start(config, Map.of());
    }

    /**
     * Starts a homeserver; {@code extraRoutes} are mounted beside the built-in routes of each
     * resource (how other modules, and tests, add endpoints).
     */
    public static Homeserver start(HomeserverConfig config, Map<Resource, List<Routes>> extraRoutes) {
        return start(config, extraRoutes, UnaryOperator.identity());
    }

    /**
     * As {@link #start(HomeserverConfig, Map)}, every module reading and writing through
     * {@code instrument} applied to the connection pool: how tests count the queries a request
     * makes, and where connection metrics would go.
     */
    public static Homeserver start(HomeserverConfig config, Map<Resource, List<Routes>> extraRoutes,
                                   UnaryOperator<DataSource> instrument) {
        LOG.info("Starting Myelin for {} (data in {})", config.serverName(), config.dataDir().toAbsolutePath().normalize());
        NativeEd25519.install();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StartupException("data_dir: cannot create " + config.dataDir().toAbsolutePath() + ": " + e, e);
        }
        Database database = Database.open(config.databaseConfig());
        Homeserver server = null;
        try {
            SigningKey key = SigningKeyStore.loadOrCreate(config.signingKeyFile(), new SecureRandom());
            server = new Homeserver(config, database, instrument.apply(database.dataSource()), key);
            server.listen(server.routeTable(extraRoutes));
            server.appServices.start();
            return server;
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            } else {
                database.close();
            }
            throw e;
        }
    }

    private Map<Resource, List<Routes>> routeTable(Map<Resource, List<Routes>> extra) {
        Map<Resource, List<Routes>> table = new EnumMap<>(Resource.class);
        for (Resource r : Resource.values()) {
            table.put(r, new ArrayList<>());
        }
        // The two endpoints every client calls all the time are matched first: Vert.x Web tries
        // each route in order, a regular expression per route with path parameters, and trying
        // all the others first was a few per cent of a busy server's CPU. No other route serves
        // their paths, so the order changes nothing else.
        SyncRoutes syncRoutes = new SyncRoutes(sync.sync, sync.filters, authenticator());
        io.micrometer.core.instrument.Gauge.builder("myelin.sync.long_polls", syncRoutes, SyncRoutes::openLongPolls)
                .description("/sync requests with a timeout open now").register(metrics.registry());
        table.get(Resource.CLIENT).add(syncRoutes);
        table.get(Resource.CLIENT).add(new SlidingSyncRoutes(slidingSync.sync, authenticator()));
        table.get(Resource.CLIENT).add(new SendRoutes(clientRooms, authenticator()));
        table.get(Resource.CLIENT).add(new VersionsRoutes());
        table.get(Resource.CLIENT).add(new WellKnownRoutes(config, this::portServing));
        federation.routes().forEach((resource, routes) -> table.get(resource).addAll(routes));
        membership.routes().forEach((resource, routes) -> table.get(resource).addAll(routes));
        keysFederation.routes().forEach((resource, routes) -> table.get(resource).addAll(routes));
        spacesFederation.routes().forEach((resource, routes) -> table.get(resource).addAll(routes));
        table.get(Resource.CLIENT).add(new RegisterRoutes(accounts));
        table.get(Resource.CLIENT).add(new LoginRoutes(accounts));
        table.get(Resource.CLIENT).add(new LoginTokenRoutes(accounts));
        table.get(Resource.CLIENT).add(new AccountRoutes(accounts));
        table.get(Resource.CLIENT).add(new ThirdPartyIdRoutes(authenticator()));
        table.get(Resource.CLIENT).add(new OpenIdRoutes(authenticator(), accounts.openIdTokens, config.serverName()));
        table.get(Resource.FEDERATION).add(new OpenIdUserInfoRoutes(accounts.openIdTokens));
        table.get(Resource.CLIENT).add(new DeviceRoutes(accounts));
        table.get(Resource.CLIENT).add(new DehydratedDeviceRoutes(accounts,
                new DehydratedDevices(accounts, keys.uploads(), sync.toDevice, rooms.streams)));
        table.get(Resource.CLIENT).add(new SharedSecretRegistrationRoutes(accounts,
                config.registration().sharedSecret(), Clock.systemUTC()));
        table.get(Resource.CLIENT).add(new RegistrationTokenRoutes(accounts));
        table.get(Resource.CLIENT).add(new MediaAdminRoutes(authenticator(), accounts::isAdmin,
                accounts.accounts::exists, ServerName.parse(config.serverName()),
                media.admin));
        table.get(Resource.CLIENT).addAll(admin.routes());
        table.get(Resource.CLIENT).add(new CapabilitiesRoutes(authenticator(), config.roomVersionByDefault(),
                accounts.loginTokens.enabled(), accounts::isAdmin));
        table.get(Resource.CLIENT).add(new ProfileRoutes(authenticator(), users.profiles));
        table.get(Resource.CLIENT).add(new PushRulesRoutes(authenticator(), users.pushRules));
        table.get(Resource.CLIENT).addAll(push.routes(authenticator()));
        table.get(Resource.CLIENT).add(new PresenceRoutes(authenticator(), users.presence, users.presenceVisibility));
        table.get(Resource.CLIENT).add(new CreateRoomRoutes(clientRooms, authenticator()));
        table.get(Resource.CLIENT).add(new MembershipRoutes(clientRooms, authenticator(),
                new ThirdPartyInvites(clientRooms, identityServers, membership.thirdPartyRedeemer())));
        table.get(Resource.CLIENT).add(new RoomStateRoutes(clientRooms, authenticator()));
        table.get(Resource.CLIENT).add(new RoomEventsRoutes(clientRooms, authenticator()));
        table.get(Resource.CLIENT).add(new RelationsRoutes(clientRooms, authenticator()));
        table.get(Resource.CLIENT).add(new MutualRoomsRoutes(authenticator(), rooms.memberships));
        table.get(Resource.CLIENT).add(new AliasRoutes(clientRooms, authenticator()));
        table.get(Resource.CLIENT).add(new RoomDirectoryRoutes(clientRooms, authenticator()));
        table.get(Resource.CLIENT).addAll(spaces.routes(authenticator()));
        table.get(Resource.CLIENT).add(new RoomUpgradeRoutes(upgrades, authenticator()));
        table.get(Resource.CLIENT).add(new UserDirectoryRoutes(authenticator(), users.directory,
                config.userDirectory().searchAllUsers()));
        table.get(Resource.CLIENT).add(new TurnServerRoutes(authenticator(), config.voip(), Clock.systemUTC()));
        table.get(Resource.CLIENT).add(new ThirdPartyRoutes(authenticator(), appServices.thirdPartyNetworks()));
        table.get(Resource.CLIENT).addAll(appServices.routes());
        table.get(Resource.CLIENT).add(new SearchRoutes(authenticator(), search));
        table.get(Resource.CLIENT).add(new ReportRoutes(new ReportRoutes.Parts(authenticator(), clientRooms.access,
                clientRooms.timeline, accounts.accounts, rooms.local::isLocalUser), new ReportRepository(dataSource),
                Clock.systemUTC()));
        table.get(Resource.CLIENT).add(new FilterRoutes(sync.filters, authenticator()));
        table.get(Resource.CLIENT).add(new LegacySyncRoutes(sync.eventStream, sync.initialSync, clientRooms.timeline,
                authenticator()));
        table.get(Resource.CLIENT).add(new TypingRoutes(sync.typing, rooms.memberships, authenticator()));
        table.get(Resource.CLIENT).add(new ReceiptRoutes(sync.receipts, authenticator()));
        table.get(Resource.CLIENT).add(new ReadMarkersRoutes(sync.receipts, authenticator()));
        table.get(Resource.CLIENT).add(new AccountDataRoutes(sync.accountData, authenticator()));
        table.get(Resource.CLIENT).add(new TagRoutes(sync.accountData, authenticator()));
        table.get(Resource.CLIENT).addAll(keys.routes(sync.deviceListChanges, rooms));
        table.get(Resource.CLIENT).add(new ToDeviceRoutes(toDevice.sender, authenticator()));
        table.get(Resource.CLIENT).add(new BackupVersionRoutes(keyBackups, authenticator()));
        table.get(Resource.CLIENT).add(new BackupKeysRoutes(keyBackups, authenticator()));
        table.get(Resource.MEDIA).addAll(media.routes(authenticator()));
        table.get(Resource.FEDERATION).add(federation.mediaRoutes(media.forServers));
        metrics.prometheus().ifPresent(registry -> table.get(Resource.METRICS).add(new MetricsRoutes(registry)));
        extra.forEach((resource, routes) -> table.get(resource).addAll(routes));
        return table;
    }

    private void listen(Map<Resource, List<Routes>> table) {
        Handlers handlers = new Handlers(handlerThreads, requestBodies);
        Routes everyListener = new HealthRoutes(health);
        List<HomeserverConfig.Listener> configured = config.listeners();
        for (int i = 0; i < configured.size(); i++) {
            HomeserverConfig.Listener l = configured.get(i);
            Router router = ListenerRouter.create(vertx, l, table, everyListener, handlers, metrics.requests());
            HttpListener listener = HttpListener.start(vertx, l, router, tlsFiles(l), "listeners[" + i + "]");
            listeners.add(listener);
            LOG.info("Listening on {}", listener.describe());
        }
    }

    private TlsFiles tlsFiles(HomeserverConfig.Listener listener) {
        if (listener.tls() == null) {
            return null;
        }
        if (listener.tls().selfSigned()) {
            return SelfSignedCertificate.ensure(config.dataDir().resolve("tls"), ServerNames.parse(config.serverName()));
        }
        return new TlsFiles(listener.tls().certificatePath(), listener.tls().keyPath());
    }

    public HomeserverConfig config() {
        return config;
    }

    public Database database() {
        return database;
    }

    public RoomServices rooms() {
        return rooms;
    }

    /** The recorder of push actions, which runs behind each commit: tests wait for it to settle. */
    public PushActionRecorder pushActions() {
        return push.recorder;
    }

    /** Keys, the federation client, the outbound queue and the inbound server-server API. */
    public FederationServices federation() {
        return federation;
    }

    /** The client-server API's rooms: events in client format, visibility, membership, timelines, aliases. */
    public ClientRooms clientRooms() {
        return clientRooms;
    }

    /** Accounts, devices, tokens, registration and the services around them. */
    public AccountServices accounts() {
        return accounts;
    }

    /** Profiles, push rules and their evaluation, presence. */
    public UserServices users() {
        return users;
    }

    /** The content repository: media store, uploads, downloads and thumbnails. */
    public MediaServices media() {
        return media;
    }

    /** Finds the requester of a client request from its access token; every authenticated route takes it. */
    public Authenticator authenticator() {
        return accounts.authenticator;
    }

    /** The configured rate limiters ({@code rate_limits}), e.g. {@code rateLimiters().message()}. */
    public RateLimiters rateLimiters() {
        return accounts.rateLimiters;
    }

    /** /sync, filters, typing, receipts, account data, and the streams' writers for other modules. */
    public SyncServices sync() {
        return sync;
    }

    /** Request bodies being read and waiting ({@code request_bodies}): where their metrics would go. */
    public RequestBodies requestBodies() {
        return requestBodies;
    }

    /** Whether the database answers, as {@code GET /health} says. */
    public DatabaseHealth health() {
        return health;
    }

    public SigningKey signingKey() {
        return signingKey;
    }

    /** The bound port of the first listener serving {@code resource}. */
    public OptionalInt portServing(Resource resource) {
        for (HttpListener l : listeners) {
            if (l.config().resources().contains(resource)) {
                return OptionalInt.of(l.port());
            }
        }
        return config.listenerServing(resource).map(l -> OptionalInt.of(l.port())).orElse(OptionalInt.empty());
    }

    /** Stops serving and releases everything; safe to call more than once. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        for (HttpListener l : listeners) {
            closeQuietly("listener", l::close);
        }
        listeners.clear();
        handlerThreads.shutdown();
        closeQuietly("request handlers", () -> {
            if (!handlerThreads.awaitTermination(HANDLER_DRAIN_SECONDS, TimeUnit.SECONDS)) {
                handlerThreads.shutdownNow();
            }
        });
        closeQuietly("application services", appServices::close);
        closeQuietly("push", push::close);
        closeQuietly("presence federation", membership::close);
        closeQuietly("keys federation", keysFederation::close);
        closeQuietly("spaces federation", spacesFederation::close);
        closeQuietly("federation", federation::close);
        closeQuietly("URL previews and media retention", media::stop);
        closeQuietly("Vert.x", () -> HttpListener.await(vertx.close()));
        closeQuietly("thumbnails", media::close);
        closeQuietly("typing notifications", sync::close);
        closeQuietly("event persister", rooms::close);
        closeQuietly("database health check", health::close); // before the database, whose stop is no loss
        closeQuietly("database", database::close);
        closeQuietly("metrics", metrics::close);
        LOG.info("Myelin stopped");
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void closeQuietly(String what, Step step) {
        try {
            step.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Error while closing {}: {}", what, e.toString());
        }
    }
}
