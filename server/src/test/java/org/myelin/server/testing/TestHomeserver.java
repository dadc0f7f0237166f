package org.myelin.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.myelin.server.Homeserver;
import org.myelin.server.StartupException;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.http.Json;
import org.myelin.server.http.Routes;
import org.myelin.storage.testing.TestDatabases;

/**
 * A real homeserver for a test: booted on 127.0.0.1 with its own fresh database (from
 * {@link TestDatabases}), its own data directory, a plain-HTTP client listener on a random
 * port and a TLS federation listener (self-signed dev certificate) whose port is in the
 * server name, {@code 127.0.0.1:<federation port>}, so that other servers can reach it by
 * name. Tests may boot several. Comes with real HTTP clients.
 *
 * <pre>{@code
 * static TestHomeserver hs;
 * @BeforeAll static void boot() { hs = TestHomeserver.start(); }
 * @AfterAll static void stop() { hs.close(); }
 *
 * TestUser alice = hs.registerUser("alice");
 * HttpResponse<String> r = hs.authed(alice.accessToken(), "GET", "/_matrix/client/v3/account/whoami", null);
 * }</pre>
 *
 * <p>The test configuration differs from the defaults where speed matters and nothing is
 * lost: cheap password hashing and rate limits too high to hit (see {@link #TEST_AUTH} and
 * {@link #NO_RATE_LIMITS}); tests of those features configure them back.
 */
public final class TestHomeserver implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Cheap Argon2id (64 KiB, 1 pass): registering a test user costs microseconds, not 50 ms. */
    public static final HomeserverConfig.Auth TEST_AUTH = new HomeserverConfig.Auth(
            HomeserverConfig.Auth.DEFAULT.refreshableAccessTokenLifetimeMs(), null,
            new HomeserverConfig.PasswordHashing(64, 1, 1));
    /** Rate limits no test reaches by accident. */
    private static final HomeserverConfig.RateLimit UNLIMITED = new HomeserverConfig.RateLimit(1_000_000, 1_000_000);
    public static final HomeserverConfig.RateLimits NO_RATE_LIMITS = new HomeserverConfig.RateLimits(
            UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED);

    private Homeserver homeserver;
    private HomeserverConfig config;
    private final Map<Resource, List<Routes>> routes;
    private final UnaryOperator<DataSource> instrument;
    private final Path dataDir;
    private boolean running = true;
    private int stoppedClientPort;
    private final HttpClient http;
    private final InsecureTls tls = new InsecureTls();
    private final HttpClient https;

    private TestHomeserver(Homeserver homeserver, HomeserverConfig config, Map<Resource, List<Routes>> routes,
                           UnaryOperator<DataSource> instrument, Path dataDir) {
        this.homeserver = homeserver;
        this.config = config;
        this.routes = routes;
        this.instrument = instrument;
        this.dataDir = dataDir;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        this.https = HttpClient.newBuilder().connectTimeout(TIMEOUT).sslContext(tls.context()).build();
    }

    /** A homeserver with the default test setup. */
    public static TestHomeserver start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for {@link #start()}. */
    public static final class Builder {
        private final Map<Resource, List<Routes>> routes = new EnumMap<>(Resource.class);
        private UnaryOperator<HomeserverConfig> configure = UnaryOperator.identity();
        private UnaryOperator<DataSource> instrument = UnaryOperator.identity();

        /** Mounts extra routes (e.g. test-only endpoints) on the listeners serving {@code resource}. */
        public Builder routes(Resource resource, Routes extra) {
            routes.computeIfAbsent(resource, r -> new ArrayList<>()).add(extra);
            return this;
        }

        /** Adjusts the test configuration before start (applied last). */
        public Builder configure(UnaryOperator<HomeserverConfig> change) {
            configure = configure.andThen(change)::apply;
            return this;
        }

        /** Wraps the server's connection pool, e.g. in a {@link QueryCounter}. */
        public Builder instrument(UnaryOperator<DataSource> wrap) {
            instrument = wrap;
            return this;
        }

        public TestHomeserver start() {
            Path dataDir;
            try {
                dataDir = Files.createTempDirectory("myelin-test-hs");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            HomeserverConfig base = HomeserverConfig.defaults().withDataDir(dataDir)
                    .withAuth(TEST_AUTH).withRateLimits(NO_RATE_LIMITS);
            var db = TestDatabases.freshConfig();
            base = base.withDatabase(new HomeserverConfig.Database(db.url(), db.user(), db.password(), db.maxPoolSize()));
            // Federation between test servers: self-signed certificates on 127.0.0.1.
            base = base.withFederation(base.federation().forLoopbackTests());
            // The federation port must be known before start: it is part of the server name.
            for (int attempt = 1; ; attempt++) {
                int federationPort = freePort();
                HomeserverConfig config = configure.apply(base
                        .withServerName("127.0.0.1:" + federationPort)
                        .withListeners(List.of(
                                new HomeserverConfig.Listener(0, "127.0.0.1", null,
                                        List.of(Resource.CLIENT, Resource.KEYS, Resource.MEDIA)),
                                new HomeserverConfig.Listener(federationPort, "127.0.0.1", new HomeserverConfig.Tls(null, null),
                                        List.of(Resource.FEDERATION, Resource.KEYS)))));
                try {
                    return new TestHomeserver(Homeserver.start(config, routes, instrument), config, routes, instrument,
                            dataDir);
                } catch (StartupException e) {
                    // Another process took the probed port in between: probe again.
                    if (attempt >= 3 || !(rootCause(e) instanceof BindException)) {
                        throw e;
                    }
                }
            }
        }
    }

    public Homeserver homeserver() {
        return homeserver;
    }

    public String serverName() {
        return homeserver.config().serverName();
    }

    public Path dataDir() {
        return dataDir;
    }

    public int clientPort() {
        return homeserver.portServing(Resource.CLIENT).orElseThrow();
    }

    public int federationPort() {
        return homeserver.portServing(Resource.FEDERATION).orElseThrow();
    }

    /** {@code http://127.0.0.1:<client port><path>}. */
    public URI clientUri(String path) {
        return URI.create("http://127.0.0.1:" + clientPort() + path);
    }

    /** {@code https://127.0.0.1:<federation port><path>}. */
    public URI federationUri(String path) {
        return URI.create("https://127.0.0.1:" + federationPort() + path);
    }

    /** A plain HTTP client. */
    public HttpClient http() {
        return http;
    }

    /** An HTTPS client that trusts any certificate (see {@link #tls()} for what it saw). */
    public HttpClient https() {
        return https;
    }

    public InsecureTls tls() {
        return tls;
    }

    /** GET on the client listener. */
    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(clientUri(path)).GET());
    }

    /** A request with a JSON (or any text) body on the client listener; null body sends none. */
    public HttpResponse<String> request(String method, String path, String body) {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return send(HttpRequest.newBuilder(clientUri(path)).method(method, publisher)
                .header("Content-Type", "application/json"));
    }

    /**
     * A request with {@code Authorization: Bearer accessToken} and a JSON body (null sends
     * none) on the client listener.
     */
    public HttpResponse<String> authed(String accessToken, String method, String path, String body) {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return send(HttpRequest.newBuilder(clientUri(path)).method(method, publisher)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + accessToken));
    }

    /**
     * A request as {@code user} (null: without a token), failing the test unless the answer has
     * {@code status}; the answer's JSON body.
     */
    public JsonNode expect(int status, TestUser user, String method, String path, String body) {
        HttpResponse<String> r = user == null ? request(method, path, body) : authed(user.accessToken(), method, path, body);
        if (r.statusCode() != status) {
            throw new AssertionError(method + " " + path + ": expected " + status + ", got " + r.statusCode() + " "
                    + r.body());
        }
        return json(r);
    }

    /** {@code s} URL-encoded for a path segment or query value (a space as %20). */
    public static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Registers {@code localpart} with the password {@code "password-" + localpart}. */
    public TestUser registerUser(String localpart) {
        return registerUser(localpart, "password-" + localpart);
    }

    /**
     * Registers a user through {@code POST /register} with {@code m.login.dummy} (the server
     * must not require registration tokens) and returns its first session.
     */
    public TestUser registerUser(String localpart, String password) {
        var body = Json.MAPPER.createObjectNode().put("username", localpart).put("password", password);
        body.putObject("auth").put("type", "m.login.dummy");
        HttpResponse<String> response = request("POST", "/_matrix/client/v3/register", body.toString());
        if (response.statusCode() != 200) {
            throw new AssertionError("registering " + localpart + ": " + response.statusCode() + " " + response.body());
        }
        JsonNode json = json(response);
        return new TestUser(json.path("user_id").asText(), json.path("device_id").asText(),
                json.path("access_token").asText(), password);
    }

    /** Logs {@code user} in again with its password: a new device and access token. */
    public TestUser login(TestUser user) {
        var body = Json.MAPPER.createObjectNode().put("type", "m.login.password").put("password", user.password());
        body.putObject("identifier").put("type", "m.id.user").put("user", user.userId());
        HttpResponse<String> response = request("POST", "/_matrix/client/v3/login", body.toString());
        if (response.statusCode() != 200) {
            throw new AssertionError("logging in " + user.userId() + ": " + response.statusCode() + " " + response.body());
        }
        JsonNode json = json(response);
        return new TestUser(user.userId(), json.path("device_id").asText(), json.path("access_token").asText(),
                user.password());
    }

    /** Sends with the client matching the URI's scheme. */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(TIMEOUT).build();
        HttpClient client = "https".equals(built.uri().getScheme()) ? https : http;
        try {
            return client.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The response body as JSON. */
    public static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** Stops the homeserver as a crash or shutdown would, keeping its database and data directory. */
    public void stop() {
        if (running) {
            stoppedClientPort = clientPort();
            running = false;
        }
        homeserver.close();
    }

    /**
     * Starts the homeserver again after {@link #stop()}, on the same database, data directory and
     * ports (so under the same server name).
     */
    public void restart() {
        restart(UnaryOperator.identity());
    }

    /** As {@link #restart()}, with the configuration changed by {@code change} (an operator's edit). */
    public void restart(UnaryOperator<HomeserverConfig> change) {
        stop();
        config = change.apply(config);
        homeserver = Homeserver.start(config.withListeners(config.listeners().stream()
                .map(l -> l.resources().contains(Resource.FEDERATION) ? l : l.withPort(stoppedClientPort))
                .toList()), routes, instrument);
        running = true;
    }

    /** Stops the homeserver and deletes its data directory. */
    @Override
    public void close() {
        homeserver.close();
        http.close();
        https.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is no test failure
        }
    }

    /** A port free on loopback right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
