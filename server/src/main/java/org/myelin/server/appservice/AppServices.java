package org.myelin.server.appservice;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.RoomServices;
import org.myelin.server.StartupException;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.directory.AliasNamespaces;
import org.myelin.server.client.directory.PublicRooms;
import org.myelin.server.client.profile.ProfileService;
import org.myelin.server.client.presence.PresenceService;
import org.myelin.server.client.ratelimit.RateLimiter;
import org.myelin.server.client.receipts.Receipts;
import org.myelin.server.client.todevice.ToDeviceServices;
import org.myelin.server.client.typing.TypingNotifications;
import org.myelin.server.client.rooms.ClientRooms;
import org.myelin.server.client.thirdparty.ThirdPartyNetworks;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.server.streams.StreamId;
import org.myelin.storage.accounts.Account;
import org.myelin.storage.appservice.AppServiceRoomListRepository;
import org.myelin.storage.appservice.AppServiceTxnRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application services (bridges) of {@code app_service_config_files}, wired by
 * constructors (application service API): their tokens authenticate requests, their namespaces
 * reserve user ids and aliases, a {@link TransactionSender} per service pushes it the events it
 * is interested in, and unknown users and aliases in their namespaces are asked of them.
 */
public final class AppServices implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AppServices.class);

    /** The parts of the homeserver the services reach into. */
    public record Parts(DataSource dataSource, Vertx vertx, RoomServices rooms, ClientRooms clientRooms,
                        AccountServices accounts, ProfileService profiles, Ephemeral ephemeral) {
    }

    /** Where typing, receipts and to-device messages come from. */
    public record Ephemeral(TypingNotifications typing, Receipts receipts, ToDeviceServices toDevice,
                            PresenceService presence) {
    }

    private final AppServiceRegistry registry;
    private final AppServiceClient client;
    private final Parts parts;
    private final Map<String, TransactionSender> senders = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    private AppServices(AppServiceRegistry registry, Parts parts) {
        this.registry = registry;
        this.parts = parts;
        this.client = new AppServiceClient(parts.vertx());
    }

    /**
     * Reads the registration files; a bad one stops the start, naming its file. First of the
     * parts, before any thread is started.
     */
    public static List<AppService> read(List<Path> files, String serverName) {
        try {
            return Registrations.load(files, ServerName.parse(serverName));
        } catch (Registrations.InvalidRegistration e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    /** Wires the services {@link #read} found into the homeserver. */
    public static AppServices wire(List<AppService> services, Parts parts) {
        AppServices appServices = new AppServices(new AppServiceRegistry(services), parts);
        if (!services.isEmpty()) {
            appServices.wire();
        }
        return appServices;
    }

    private void wire() {
        AccountServices accounts = parts.accounts();
        accounts.authenticator.useAppServices(new AppServiceAuth(registry, accounts.accounts::exists));
        accounts.registration.useNamespaces(this::checkMayRegister);
        AppServiceQueries queries = new AppServiceQueries(registry, client, parts.rooms().local::isLocalUser);
        parts.clientRooms().aliases.useNamespaces(new AliasNamespaces() {
            @Override
            public boolean mayModify(String alias, String userId) {
                return registry.mayModifyAlias(alias, userId);
            }

            @Override
            public boolean queriedExists(String alias) {
                return queries.aliasExists(alias);
            }
        });
        parts.profiles().useUnknownUserQuery(queries::userExists);
        AppServiceRoomListRepository roomLists = new AppServiceRoomListRepository(parts.dataSource());
        parts.clientRooms().publicRooms.useNetworkDirectories(new PublicRooms.NetworkDirectories() {
            @Override
            public List<String> rooms(String instanceId) {
                int bar = instanceId.indexOf('|');
                return bar < 0 ? List.of() : roomLists.rooms(instanceId.substring(0, bar), instanceId.substring(bar + 1));
            }

            @Override
            public List<String> allRooms() {
                return roomLists.allRooms();
            }
        });
        exemptFromRateLimits(accounts.rateLimiters.message());
        List<EphemeralFeed.Target> targets = new ArrayList<>();
        EventInterest.Rooms facts = roomFacts();
        for (AppService s : registry.all()) {
            createSender(s, facts).ifPresent(sender -> targets.add(new EphemeralFeed.Target(s, sender, facts)));
            LOG.info("Application service {} ({} as {})", s.id(), s.url() == null ? "no url" : s.url(), s.sender());
        }
        parts.rooms().onCommit(batch -> batch.stream().map(e -> e.streamOrdering())
                .filter(o -> o != null && o > 0).mapToLong(Long::longValue).max()
                .ifPresent(newest -> senders.values().forEach(sender -> sender.committed(newest))));
        Ephemeral sources = parts.ephemeral();
        EphemeralFeed feed = new EphemeralFeed(targets, new EphemeralFeed.Sources(
                roomId -> sources.typing().changedSince(roomId, -1).orElse(List.of()), sources.presence()::get,
                userId -> parts.rooms().memberships.roomsOf(userId, "join").stream().map(m -> m.roomId()).toList(),
                userId -> parts.accounts().accounts.devices(userId).stream().map(d -> d.deviceId()).toList()));
        if (!feed.isEmpty()) {
            sources.presence().listen(feed);
            sources.typing().listen(feed);
            sources.receipts().listen(feed);
            sources.toDevice().onStored(feed::toDevice);
        }
    }

    /** Starts pushing transactions; after the routes are listening, so that the services can answer back. */
    public void start() {
        for (Map.Entry<String, TransactionSender> e : senders.entrySet()) {
            threads.add(Thread.ofVirtual().name("appservice-" + e.getKey()).start(e.getValue()));
        }
    }

    /** The routes of the client-server API that only application services use. */
    public List<Routes> routes() {
        return List.of(new AppServicePingRoutes(parts.accounts().authenticator, registry, client),
                new AppServiceRoomListRoutes(parts.accounts().authenticator,
                        new AppServiceRoomListRepository(parts.dataSource())));
    }

    /** The third-party networks the services bridge. */
    public ThirdPartyNetworks thirdPartyNetworks() {
        return registry.isEmpty() ? ThirdPartyNetworks.NONE : new ThirdPartyLookups(registry, client);
    }

    /** The service of {@code id}, for tests and the admin. */
    public Optional<AppService> byId(String id) {
        return registry.byId(id);
    }

    /** Ephemeral events and to-device messages: the senders of the services that want them. */
    List<TransactionSender> senders() {
        return List.copyOf(senders.values());
    }

    private Optional<TransactionSender> createSender(AppService s, EventInterest.Rooms facts) {
        String sender = s.sender().toString();
        if (!parts.accounts().accounts.exists(sender)) {
            parts.accounts().accounts.register(new Account(sender, null, false, false, false,
                    Clock.systemUTC().millis()), null);
        }
        if (s.url() == null) {
            return Optional.empty(); // Synapse's "will not receive events or queries"
        }
        RoomServices rooms = parts.rooms();
        TransactionSender.Parts senderParts = new TransactionSender.Parts(rooms.events,
                () -> rooms.streams.position(StreamId.TIMELINE),
                pdus -> parts.clientRooms().clientEvents.format(pdus, sender, null),
                facts, new AppServiceTxnRepository(parts.dataSource()), client);
        TransactionSender created = new TransactionSender(s, senderParts);
        senders.put(s.id(), created);
        return Optional.of(created);
    }

    private EventInterest.Rooms roomFacts() {
        RoomServices rooms = parts.rooms();
        return new EventInterest.Rooms() {
            @Override
            public List<String> joinedLocalMembers(String roomId) {
                return rooms.memberships.members(roomId, "join").stream()
                        .map(m -> m.userId()).filter(rooms.local::isLocalUser).toList();
            }

            @Override
            public List<String> aliases(String roomId) {
                return parts.clientRooms().aliasRepository.ofRoom(roomId).stream().map(a -> a.alias()).toList();
            }
        };
    }

    /** Users of services with {@code rate_limited: false} are not limited, as in Synapse. */
    private void exemptFromRateLimits(RateLimiter limiter) {
        RateLimiter.Overrides before = limiter.overrides();
        RateLimiter.KeyLimit unlimited = new RateLimiter.KeyLimit(0, 0);
        limiter.useOverrides(userId -> registry.all().stream().anyMatch(s -> !s.rateLimited() && s.mayActAs(userId))
                ? Optional.of(unlimited) : before.of(userId));
    }

    /** Synapse's {@code check_user_id_not_appservice_exclusive} and {@code appservice_register}. */
    private void checkMayRegister(String userId, String appServiceId) {
        if (appServiceId != null) {
            AppService service = registry.byId(appServiceId).orElseThrow();
            if (!service.isInterestedInUser(userId)) {
                throw MatrixException.of(ErrCode.M_EXCLUSIVE, "Invalid user localpart for this application service.");
            }
        }
        for (AppService owner : registry.exclusiveOwnersOfUser(userId)) {
            if (!owner.id().equals(appServiceId)) {
                throw MatrixException.of(ErrCode.M_EXCLUSIVE, "This user ID is reserved by an application service.");
            }
        }
    }

    @Override
    public void close() {
        senders.values().forEach(TransactionSender::close);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        client.close();
    }
}
