package org.myelin.server;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.myelin.server.client.VersionsRoutes;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.config.ServerNames;
import org.myelin.server.discovery.WellKnownRoutes;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.ListenerRouter;
import org.myelin.server.http.Routes;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.keys.SigningKeyStore;
import org.myelin.server.tls.SelfSignedCertificate;
import org.myelin.server.tls.TlsFiles;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.ports.RemoteEvents;
import org.myelin.storage.Database;
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
    private final SigningKey signingKey;
    private final RoomServices rooms;
    private final ExecutorService handlerThreads;
    private final Vertx vertx;
    private final List<HttpListener> listeners = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Homeserver(HomeserverConfig config, Database database, SigningKey signingKey) {
        this.config = config;
        this.database = database;
        this.signingKey = signingKey;
        this.rooms = new RoomServices(database.dataSource(),
                new LocalServer(config.serverName(), signingKey), Clock.systemUTC(),
                (event, server) -> false, RemoteEvents.NONE);
        this.handlerThreads = Executors.newVirtualThreadPerTaskExecutor();
        this.vertx = Vertx.vertx();
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
        LOG.info("Starting Myelin for {} (data in {})", config.serverName(), config.dataDir().toAbsolutePath().normalize());
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StartupException("data_dir: cannot create " + config.dataDir().toAbsolutePath() + ": " + e, e);
        }
        Database database = Database.open(config.databaseConfig());
        Homeserver server = null;
        try {
            SigningKey key = SigningKeyStore.loadOrCreate(config.signingKeyFile(), new SecureRandom());
            server = new Homeserver(config, database, key);
            server.listen(server.routeTable(extraRoutes));
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
        table.get(Resource.CLIENT).add(new VersionsRoutes());
        table.get(Resource.CLIENT).add(new WellKnownRoutes(config, this::portServing));
        extra.forEach((resource, routes) -> table.get(resource).addAll(routes));
        return table;
    }

    private void listen(Map<Resource, List<Routes>> table) {
        Handlers handlers = new Handlers(handlerThreads);
        List<HomeserverConfig.Listener> configured = config.listeners();
        for (int i = 0; i < configured.size(); i++) {
            HomeserverConfig.Listener l = configured.get(i);
            Router router = ListenerRouter.create(vertx, l.resources(), table, handlers, config.maxRequestBodyBytes());
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
        closeQuietly("Vert.x", () -> HttpListener.await(vertx.close()));
        closeQuietly("event persister", rooms::close);
        closeQuietly("database", database::close);
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
