package org.myelin.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private HomeserverConfig loadYaml(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("homeserver.yaml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(Optional.of(file), env);
    }

    private ConfigException yamlError(String yaml) {
        return assertThrows(ConfigException.class, () -> loadYaml(yaml, Map.of()));
    }

    @Test
    void noFileAndNoEnvironmentGivesTheDefaults() {
        HomeserverConfig c = ConfigLoader.load(Optional.empty(), Map.of());
        assertEquals(HomeserverConfig.defaults(), c);
        assertEquals("localhost:8008", c.serverName());
        assertEquals(Path.of("./data"), c.dataDir());
        assertEquals(8008, c.listenerServing(Resource.CLIENT).orElseThrow().port());
        assertEquals("127.0.0.1", c.listenerServing(Resource.CLIENT).orElseThrow().bindAddress());
        assertEquals(8448, c.listenerServing(Resource.FEDERATION).orElseThrow().port());
        assertTrue(c.listenerServing(Resource.FEDERATION).orElseThrow().tls().selfSigned());
        assertTrue(c.registration().enabled() && c.registration().loopbackOnly());
        assertEquals(Path.of("./data/signing.key"), c.signingKeyFile());
        assertTrue(c.databaseConfig().isEmbedded());
    }

    @Test
    void exampleFileDocumentsTheDefaults() {
        Path example = Path.of("../config/homeserver.example.yaml");
        assertTrue(Files.exists(example), "config/homeserver.example.yaml exists");
        assertEquals(HomeserverConfig.defaults(), ConfigLoader.load(Optional.of(example), Map.of()));
    }

    @Test
    void exampleFileMentionsEveryKey() throws IOException {
        String example = Files.readString(Path.of("../config/homeserver.example.yaml"));
        for (String key : List.of("server_name", "data_dir", "url", "user", "password", "max_pool_size", "listeners",
                "port", "bind_address", "tls", "certificate_path", "key_path", "resources", "enabled", "loopback_only",
                "require_token", "guest_access", "shared_secret", "tls_self_signed_dev", "trusted_ca_paths",
                "allow_insecure_self_signed", "outbound_ip_allowlist", "client_base_url", "server", "signing_key_path",
                "media", "store_path", "max_upload_size", "enable_authenticated_media", "max_pending_media_uploads",
                "unused_expiration_time_ms", "dynamic_thumbnails", "max_image_pixels", "url_preview", "ip_allowlist",
                "url_blocklist", "max_spider_size", "max_user_storage_bytes", "user_storage_info_uri",
                "media_retention", "remote_media_lifetime_ms", "log_level",
                "health_check_interval_ms", "x_forwarded", "request_bodies",
                "max_concurrent_reads", "max_buffered_bytes", "read_timeout_ms", "caches", "event_cache_bytes",
                "default_room_version", "support", "contacts", "support_page", "login_via_existing_session",
                "require_ui_auth", "token_timeout_ms")) {
            assertTrue(example.contains(key + ":"), key);
        }
    }

    @Test
    void fileOverridesOnlyTheKeysItNames() throws IOException {
        HomeserverConfig c = loadYaml("""
                server_name: example.org
                database:
                  url: jdbc:postgresql://db:5432/myelin
                registration:
                """, Map.of());
        assertEquals("example.org", c.serverName());
        assertEquals("jdbc:postgresql://db:5432/myelin", c.database().url());
        assertEquals(10, c.database().maxPoolSize(), "sibling keys keep their defaults");
        assertEquals(HomeserverConfig.defaults().registration(), c.registration(), "an empty section keeps its defaults");
        assertEquals(HomeserverConfig.defaults().listeners(), c.listeners());
    }

    @Test
    void listenersReplaceTheDefaultListWhole() throws IOException {
        HomeserverConfig c = loadYaml("""
                listeners:
                  - port: 9000
                    resources: [client, federation, keys, media]
                """, Map.of());
        assertEquals(List.of(new HomeserverConfig.Listener(9000, "127.0.0.1", null,
                List.of(Resource.CLIENT, Resource.FEDERATION, Resource.KEYS, Resource.MEDIA))), c.listeners());
    }

    @Test
    void environmentOverridesFileAndDefaults() throws IOException {
        HomeserverConfig c = loadYaml("server_name: from-file.org\n", Map.ofEntries(
                Map.entry("MYELIN_SERVER_NAME", "from-env.org:8448"),
                Map.entry("MYELIN_DATA_DIR", "/var/lib/myelin"),
                Map.entry("MYELIN_CLIENT_PORT", "18008"),
                Map.entry("MYELIN_FEDERATION_PORT", "18448"),
                Map.entry("MYELIN_BIND_ADDRESS", "0.0.0.0"),
                Map.entry("MYELIN_CLIENT_BIND_ADDRESS", "::"),
                Map.entry("MYELIN_DATABASE_URL", "jdbc:postgresql://postgres:5432/myelin"),
                Map.entry("MYELIN_DATABASE_USER", "myelin"),
                Map.entry("MYELIN_DATABASE_PASSWORD", "s3cret"),
                Map.entry("MYELIN_DATABASE_MAX_POOL_SIZE", "20"),
                Map.entry("MYELIN_REGISTRATION_ENABLED", "false"),
                Map.entry("MYELIN_REGISTRATION_SHARED_SECRET", "shh"),
                Map.entry("MYELIN_FEDERATION_ALLOW_SELF_SIGNED", "TRUE"),
                Map.entry("MYELIN_FEDERATION_OUTBOUND_IP_ALLOWLIST", "127.0.0.0/8, ::1"),
                Map.entry("MYELIN_WELL_KNOWN_SERVER", "matrix.from-env.org:443"),
                Map.entry("MYELIN_LOG_LEVEL", "debug"),
                Map.entry("PATH", "/usr/bin")));
        assertEquals("from-env.org:8448", c.serverName());
        assertEquals(Path.of("/var/lib/myelin"), c.dataDir());
        HomeserverConfig.Listener client = c.listenerServing(Resource.CLIENT).orElseThrow();
        HomeserverConfig.Listener federation = c.listenerServing(Resource.FEDERATION).orElseThrow();
        assertEquals(18008, client.port());
        assertEquals("::", client.bindAddress(), "the per-listener variable beats MYELIN_BIND_ADDRESS");
        assertEquals(18448, federation.port());
        assertEquals("0.0.0.0", federation.bindAddress());
        assertEquals(new HomeserverConfig.Database("jdbc:postgresql://postgres:5432/myelin", "myelin", "s3cret", 20),
                c.database());
        assertFalse(c.registration().enabled());
        assertEquals("shh", c.registration().sharedSecret());
        assertTrue(c.federation().allowInsecureSelfSigned());
        assertEquals(List.of("127.0.0.0/8", "::1"), c.federation().outboundIpAllowlist());
        assertEquals("matrix.from-env.org:443", c.wellKnown().server());
        assertEquals("debug", c.logLevel());
    }

    @Test
    void environmentSetsTheFederationCertificate() throws IOException {
        Path cert = Files.writeString(dir.resolve("fed.crt"), "cert");
        Path key = Files.writeString(dir.resolve("fed.key"), "key");
        HomeserverConfig c = ConfigLoader.load(Optional.empty(), Map.of(
                "MYELIN_FEDERATION_TLS_CERTIFICATE", cert.toString(), "MYELIN_FEDERATION_TLS_KEY", key.toString()));
        assertEquals(new HomeserverConfig.Tls(cert, key), c.listenerServing(Resource.FEDERATION).orElseThrow().tls());
    }

    @Test
    void emptyVariableSetsANullableKeyToNull() throws IOException {
        HomeserverConfig c = loadYaml("database: {url: 'jdbc:postgresql://x/y'}\n", Map.of("MYELIN_DATABASE_URL", ""));
        assertNull(c.database().url());
    }

    @Test
    void missingFileNamesTheFile() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.of(dir.resolve("nope.yaml")), Map.of()));
        assertEquals("--config", e.key());
        assertTrue(e.getMessage().contains("nope.yaml does not exist"), e.getMessage());
    }

    @Test
    void unknownKeyIsNamedWithItsPath() {
        ConfigException e = yamlError("database:\n  uri: jdbc:postgresql://x/y\n");
        assertEquals("database.uri", e.key());
        assertTrue(e.getMessage().startsWith("database.uri: unknown key (known keys here: health_check_interval_ms, max_pool_size, password, url, user)"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("homeserver.yaml)"), e.getMessage());
    }

    @Test
    void unknownTopLevelKeyIsNamed() {
        assertEquals("server_nmae", yamlError("server_nmae: x\n").key());
    }

    @Test
    void wrongTypeIsNamedWithItsPath() {
        ConfigException e = yamlError("listeners:\n  - port: eighty\n    resources: [client]\n");
        assertEquals("listeners[0].port", e.key());
        assertTrue(e.getMessage().contains("'eighty' is not a valid integer"), e.getMessage());

        assertEquals("registration.enabled", yamlError("registration: {enabled: maybe}\n").key());
        assertEquals("listeners[0].resources[0]", yamlError("listeners: [{port: 1, resources: [clients]}]\n").key());
        assertEquals("database", yamlError("database: [1, 2]\n").key());
    }

    @Test
    void invalidServerNameIsNamed() {
        ConfigException e = yamlError("server_name: 'bad name!'\n");
        assertEquals("server_name", e.key());
        assertTrue(e.getMessage().contains("'bad name!' is not a valid server name"), e.getMessage());
        assertEquals("server_name", yamlError("server_name: 'example.org:99999'\n").key());
    }

    @Test
    void voipIsReadAndCheckedAndKeepsItsSecretOutOfLogs() throws IOException {
        HomeserverConfig c = loadYaml("voip: {turn_uris: ['turn:turn.example.org:3478'], turn_shared_secret: s3cret}\n",
                Map.of("MYELIN_VOIP_TURN_USER_LIFETIME_MS", "60000"));
        assertEquals(List.of("turn:turn.example.org:3478"), c.voip().turnUris());
        assertEquals("s3cret", c.voip().turnSharedSecret());
        assertEquals(60_000, c.voip().turnUserLifetimeMs());
        assertTrue(c.voip().turnAllowGuests());
        assertFalse(c.voip().toString().contains("s3cret"), c.voip().toString());

        assertEquals("voip.turn_uris", yamlError("voip: {turn_uris: ['http://turn.example.org']}\n").key());
        assertEquals("voip.turn_user_lifetime_ms", yamlError("voip: {turn_user_lifetime_ms: 0}\n").key());
        assertEquals("voip.turn_password", yamlError("voip: {turn_username: u}\n").key());
        assertEquals("voip.turn_username",
                yamlError("voip: {turn_shared_secret: s, turn_username: u, turn_password: p}\n").key());
    }

    @Test
    void supportContactsAreReadAndChecked() throws IOException {
        HomeserverConfig c = loadYaml("""
                well_known:
                  support:
                    contacts:
                      - {matrix_id: "@admin:example.org", email_address: admin@example.org, role: m.role.admin}
                      - {email_address: security@example.org, role: m.role.security}
                      - {matrix_id: "@billing:example.org", role: org.example.billing}
                """, Map.of("MYELIN_WELL_KNOWN_SUPPORT_SUPPORT_PAGE", "https://example.org/help"));
        assertEquals(List.of(
                new HomeserverConfig.SupportContact("@admin:example.org", "admin@example.org", "m.role.admin"),
                new HomeserverConfig.SupportContact(null, "security@example.org", "m.role.security"),
                new HomeserverConfig.SupportContact("@billing:example.org", null, "org.example.billing")),
                c.wellKnown().support().contacts());
        assertEquals("https://example.org/help", c.wellKnown().support().supportPage());
        assertFalse(HomeserverConfig.defaults().wellKnown().support().configured());

        assertEquals("well_known.support.contacts[0].role",
                yamlError("well_known: {support: {contacts: [{matrix_id: '@a:example.org'}]}}\n").key());
        assertEquals("well_known.support.contacts[0].role",
                yamlError("well_known: {support: {contacts: [{matrix_id: '@a:example.org', role: m.role.boss}]}}\n")
                        .key());
        assertEquals("well_known.support.contacts[0]",
                yamlError("well_known: {support: {contacts: [{role: m.role.admin}]}}\n").key());
        assertEquals("well_known.support.contacts[0].matrix_id",
                yamlError("well_known: {support: {contacts: [{matrix_id: admin, role: m.role.admin}]}}\n").key());
        assertEquals("well_known.support.contacts[0].email_address",
                yamlError("well_known: {support: {contacts: [{email_address: nobody, role: m.role.admin}]}}\n").key());
        assertEquals("well_known.support.support_page",
                yamlError("well_known: {support: {support_page: example.org/help}}\n").key());
    }

    @Test
    void loginViaAnExistingSessionIsOffUnlessEnabled() throws IOException {
        assertEquals(new HomeserverConfig.LoginViaExistingSession(false, true, 300_000L),
                HomeserverConfig.defaults().auth().loginViaExistingSession());
        HomeserverConfig c = loadYaml("auth: {login_via_existing_session: {enabled: true, require_ui_auth: false}}\n",
                Map.of("MYELIN_AUTH_LOGIN_VIA_EXISTING_SESSION_TOKEN_TIMEOUT_MS", "120000"));
        assertEquals(new HomeserverConfig.LoginViaExistingSession(true, false, 120_000L),
                c.auth().loginViaExistingSession());
        assertEquals("auth.login_via_existing_session.token_timeout_ms",
                yamlError("auth: {login_via_existing_session: {token_timeout_ms: 0}}\n").key());
    }

    @Test
    void serverNoticesAreOffByDefaultAndReadAndChecked() throws IOException {
        HomeserverConfig off = loadYaml("", Map.of());
        assertFalse(off.serverNotices().enabled());
        assertEquals("Server Notices", off.serverNotices().roomName());

        HomeserverConfig c = loadYaml("server_notices: {system_mxid_localpart: notices, room_name: Notices}\n",
                Map.of("MYELIN_SERVER_NOTICES_SYSTEM_MXID_DISPLAY_NAME", "Server"));
        assertTrue(c.serverNotices().enabled());
        assertEquals("notices", c.serverNotices().systemMxidLocalpart());
        assertEquals("Server", c.serverNotices().systemMxidDisplayName());
        assertEquals("Notices", c.serverNotices().roomName());

        assertEquals("server_notices.system_mxid_localpart",
                yamlError("server_notices: {system_mxid_localpart: 'Not Valid'}\n").key());
        assertEquals("server_notices.room_name",
                yamlError("server_notices: {system_mxid_localpart: notices, room_name: ' '}\n").key());
    }

    @Test
    void mediaIsReadAndChecked() throws IOException {
        HomeserverConfig c = loadYaml("""
                media:
                  store_path: /srv/media
                  max_upload_size: 1048576
                  enable_authenticated_media: false
                  dynamic_thumbnails: true
                """, Map.of("MYELIN_MEDIA_MAX_PENDING_MEDIA_UPLOADS", "2", "MYELIN_MEDIA_MAX_IMAGE_PIXELS", "1000000"));
        assertEquals(new HomeserverConfig.Media(Path.of("/srv/media"), 1_048_576L, false, 2, 86_400_000L, true,
                1_000_000L), c.media());
        assertEquals(Path.of("/srv/media"), c.media().storeDir(c.dataDir()));
        HomeserverConfig.Media defaults = HomeserverConfig.defaults().media();
        assertEquals(new HomeserverConfig.Media(null, 50L * 1024 * 1024, true, 5, 86_400_000L, false,
                32L * 1024 * 1024), defaults);
        assertEquals(Path.of("./data/media"), defaults.storeDir(Path.of("./data")));

        assertEquals("media.max_upload_size", yamlError("media: {max_upload_size: 0}\n").key());
        assertEquals("media.max_pending_media_uploads", yamlError("media: {max_pending_media_uploads: 0}\n").key());
        assertEquals("media.unused_expiration_time_ms", yamlError("media: {unused_expiration_time_ms: 0}\n").key());
        assertEquals("media.max_image_pixels", yamlError("media: {max_image_pixels: 0}\n").key());
    }

    @Test
    void urlPreviewsQuotaAndRetentionAreReadAndChecked() throws IOException {
        HomeserverConfig c = loadYaml("""
                media:
                  url_preview:
                    enabled: true
                    ip_allowlist: [127.0.0.0/8, '::1']
                    url_blocklist:
                      - {netloc: '*.example.org', path: '^/private/.*'}
                  max_user_storage_bytes: 1000000
                  user_storage_info_uri: https://example.org/quota
                  media_retention: {remote_media_lifetime_ms: 86400000}
                """, Map.of("MYELIN_MEDIA_URL_PREVIEW_MAX_SPIDER_SIZE", "2048"));
        assertEquals(new HomeserverConfig.UrlPreview(true, List.of("127.0.0.0/8", "::1"),
                List.of(Map.of("netloc", "*.example.org", "path", "^/private/.*")), 2048), c.media().urlPreview());
        assertEquals(1_000_000L, c.media().maxUserStorageBytes());
        assertEquals("https://example.org/quota", c.media().userStorageInfoUri());
        assertEquals(86_400_000L, c.media().mediaRetention().remoteMediaLifetimeMs());

        HomeserverConfig.Media defaults = HomeserverConfig.defaults().media();
        assertEquals(new HomeserverConfig.UrlPreview(false, List.of(), List.of(), 10L * 1024 * 1024),
                defaults.urlPreview());
        assertEquals(null, defaults.maxUserStorageBytes());
        assertEquals(null, defaults.mediaRetention().remoteMediaLifetimeMs());

        assertEquals("media.url_preview.ip_allowlist[0]",
                yamlError("media: {url_preview: {ip_allowlist: [localhost]}}\n").key());
        assertEquals("media.url_preview.url_blocklist[0].host",
                yamlError("media: {url_preview: {url_blocklist: [{host: x}]}}\n").key());
        assertEquals("media.url_preview.url_blocklist[0].path",
                yamlError("media: {url_preview: {url_blocklist: [{path: '^(['}]}}\n").key());
        assertEquals("media.url_preview.url_blocklist[0]", yamlError("media: {url_preview: {url_blocklist: [{}]}}\n").key());
        assertEquals("media.url_preview.max_spider_size", yamlError("media: {url_preview: {max_spider_size: 0}}\n").key());
        assertEquals("media.max_user_storage_bytes", yamlError("media: {max_user_storage_bytes: 0}\n").key());
        assertEquals("media.user_storage_info_uri", yamlError("media: {max_user_storage_bytes: 10}\n").key());
        assertEquals("media.user_storage_info_uri",
                yamlError("media: {max_user_storage_bytes: 10, user_storage_info_uri: 'not a uri'}\n").key());
        assertEquals("media.media_retention.remote_media_lifetime_ms",
                yamlError("media: {media_retention: {remote_media_lifetime_ms: 0}}\n").key());
    }

    @Test
    void theOldNameOfTheUploadLimitIsStillRead() throws IOException {
        assertEquals(1234, loadYaml("max_request_body_bytes: 1234\n", Map.of()).media().maxUploadSize());
        HomeserverConfig both = loadYaml("max_request_body_bytes: 1234\nmedia: {max_pending_media_uploads: 3}\n", Map.of());
        assertEquals(1234, both.media().maxUploadSize());
        assertEquals(3, both.media().maxPendingMediaUploads());
        assertEquals(4321, loadYaml("", Map.of("MYELIN_MAX_REQUEST_BODY_BYTES", "4321")).media().maxUploadSize());
        assertEquals("max_request_body_bytes",
                yamlError("max_request_body_bytes: 1234\nmedia: {max_upload_size: 99}\n").key());
    }

    @Test
    void requestBodyBoundsAreReadAndChecked() throws IOException {
        HomeserverConfig c = loadYaml("request_bodies: {max_concurrent_reads: 8, read_timeout_ms: 5000}\n",
                Map.of("MYELIN_REQUEST_BODIES_MAX_BUFFERED_BYTES", "33554432"));
        assertEquals(new HomeserverConfig.RequestBodies(8, 33_554_432L, 5_000L), c.requestBodies());
        assertEquals(new HomeserverConfig.RequestBodies(64, 64L * 1024 * 1024, 30_000L),
                HomeserverConfig.defaults().requestBodies());

        assertEquals("request_bodies.max_concurrent_reads", yamlError("request_bodies: {max_concurrent_reads: 0}\n").key());
        assertEquals("request_bodies.max_buffered_bytes", yamlError("request_bodies: {max_buffered_bytes: 0}\n").key());
        assertEquals("request_bodies.read_timeout_ms", yamlError("request_bodies: {read_timeout_ms: 0}\n").key());
    }

    @Test
    void eventCacheBoundIsReadOrSizedFromTheHeap() throws IOException {
        HomeserverConfig.Caches derived = HomeserverConfig.defaults().caches();
        assertNull(derived.eventCacheBytes());
        assertEquals(64L << 20, derived.eventCacheBytes(512L << 20), "an eighth of the heap");
        assertEquals(16L << 20, derived.eventCacheBytes(64L << 20), "no less than 16 MiB");

        HomeserverConfig c = loadYaml("caches: {event_cache_bytes: 8388608}\n", Map.of());
        assertEquals(8L << 20, c.caches().eventCacheBytes(512L << 20));
        assertEquals(3L << 20, loadYaml("", Map.of("MYELIN_CACHES_EVENT_CACHE_BYTES", "3145728"))
                .caches().eventCacheBytes(512L << 20));

        assertEquals("caches.event_cache_bytes", yamlError("caches: {event_cache_bytes: 1000}\n").key());
        assertEquals("caches.event_cache_bytes",
                yamlError("caches: {event_cache_bytes: " + Runtime.getRuntime().maxMemory() + "}\n").key(),
                "the whole heap");
    }

    @Test
    void aListenerBehindAReverseProxySaysSo() throws IOException {
        HomeserverConfig c = loadYaml("""
                listeners:
                  - {port: 8008, resources: [client], x_forwarded: true}
                  - {port: 8448, resources: [federation]}
                """, Map.of());
        assertTrue(c.listenerServing(Resource.CLIENT).orElseThrow().xForwarded());
        assertFalse(c.listenerServing(Resource.FEDERATION).orElseThrow().xForwarded(), "off unless a listener says so");
        assertFalse(HomeserverConfig.defaults().listeners().stream().anyMatch(HomeserverConfig.Listener::xForwarded));
        assertEquals("listeners[0].x_forwarded", yamlError("listeners: [{port: 1, resources: [client], x_forwarded: maybe}]\n").key());
    }

    @Test
    void metricsAreServedOnlyByAListenerOfTheirOwn() throws IOException {
        assertTrue(HomeserverConfig.defaults().listenerServing(Resource.METRICS).isEmpty(), "off by default");
        HomeserverConfig c = loadYaml("""
                listeners:
                  - {port: 8008, resources: [client]}
                  - {port: 9000, resources: [metrics]}
                """, Map.of());
        HomeserverConfig.Listener metrics = c.listenerServing(Resource.METRICS).orElseThrow();
        assertEquals(9000, metrics.port());
        assertEquals("127.0.0.1", metrics.bindAddress(), "loopback unless said otherwise");
        assertEquals(List.of(Resource.METRICS), metrics.resources());
        assertEquals("listeners[0].resources", yamlError("listeners: [{port: 1, resources: [client, metrics]}]\n").key());
        assertEquals("listeners[0].resources[0]", yamlError("listeners: [{port: 1, resources: [metric]}]\n").key());
    }

    @Test
    void databaseHealthCheckIntervalIsReadAndChecked() throws IOException {
        assertEquals(5_000L, HomeserverConfig.defaults().database().healthCheckIntervalMs());
        HomeserverConfig c = loadYaml("database: {health_check_interval_ms: 1000}\n", Map.of());
        assertEquals(1_000L, c.database().healthCheckIntervalMs());
        c = ConfigLoader.load(Optional.empty(), Map.of("MYELIN_DATABASE_HEALTH_CHECK_INTERVAL_MS", "250"));
        assertEquals(250L, c.database().healthCheckIntervalMs());
        assertEquals("database.health_check_interval_ms", yamlError("database: {health_check_interval_ms: 0}\n").key());
    }

    @Test
    void appServiceConfigFilesAreReadAndMustExist() throws IOException {
        assertEquals(List.of(), HomeserverConfig.defaults().appServiceConfigFiles());
        Path registration = Files.writeString(dir.resolve("bridge.yaml"), "id: bridge\n");
        assertEquals(List.of(registration),
                loadYaml("app_service_config_files:\n  - " + registration + "\n", Map.of()).appServiceConfigFiles());
        ConfigException e = yamlError("app_service_config_files:\n  - " + dir.resolve("missing.yaml") + "\n");
        assertEquals("app_service_config_files[0]", e.key());
        assertTrue(e.getMessage().contains("is not a readable file"), e.getMessage());
        assertEquals("app_service_config_files", yamlError("app_service_config_files: 3\n").key());
    }

    @Test
    void defaultRoomVersionIsReadAndChecked() throws IOException {
        assertEquals("12", HomeserverConfig.defaults().defaultRoomVersion(), "the spec's recommended version");
        assertEquals("10", loadYaml("default_room_version: \"10\"\n", Map.of()).defaultRoomVersion());
        assertEquals("11", loadYaml("default_room_version: 11\n", Map.of()).roomVersionByDefault().id());
        assertEquals("9", ConfigLoader.load(Optional.empty(), Map.of("MYELIN_DEFAULT_ROOM_VERSION", "9"))
                .defaultRoomVersion());
        ConfigException e = yamlError("default_room_version: \"13\"\n");
        assertEquals("default_room_version", e.key());
        assertTrue(e.getMessage().contains("'13' is not a known room version"), e.getMessage());
        assertEquals("default_room_version", yamlError("default_room_version: org.matrix.msc9999\n").key());
        assertEquals("default_room_version", yamlError("default_room_version:\n").key());
    }

    @Test
    void invalidYamlSaysWhere() {
        ConfigException e = yamlError("server_name: [unclosed\n");
        assertEquals("--config", e.key());
        assertTrue(e.getMessage().contains("is not valid YAML at line"), e.getMessage());
    }

    @Test
    void badEnvironmentValueNamesTheVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), Map.of("MYELIN_CLIENT_PORT", "http")));
        assertEquals("listeners[0].port: expected an integer, got 'http' (from MYELIN_CLIENT_PORT)", e.getMessage());

        e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), Map.of("MYELIN_SERVER_NAME", "no spaces allowed")));
        assertTrue(e.getMessage().startsWith("server_name: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(from MYELIN_SERVER_NAME)"), e.getMessage());
    }

    @Test
    void unknownVariableIsAnError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.empty(), Map.of("MYELIN_SERVERNAME", "x")));
        assertEquals("MYELIN_SERVERNAME", e.key());
        assertTrue(e.getMessage().contains("MYELIN_SERVER_NAME"), "lists the known names: " + e.getMessage());
    }

    @Test
    void validationNamesTheKey() {
        assertEquals("listeners[1].port", yamlError("""
                listeners:
                  - {port: 8008, resources: [client]}
                  - {port: 8008, resources: [federation]}
                """).key());
        assertEquals("listeners[0].resources", yamlError("listeners: [{port: 1}]\n").key());
        assertEquals("listeners[0].port", yamlError("listeners: [{resources: [client]}]\n").key());
        assertEquals("listeners", yamlError("listeners: []\n").key());
        assertEquals("listeners[1].tls.certificate_path", yamlError("federation: {tls_self_signed_dev: false}\n").key());
        assertEquals("listeners[0].tls.key_path",
                yamlError("listeners: [{port: 1, tls: {certificate_path: /x}, resources: [client]}]\n").key());
        assertEquals("log_level", yamlError("log_level: loud\n").key());
        assertEquals("media.max_upload_size", yamlError("max_request_body_bytes: 0\n").key());
        assertEquals("well_known.client_base_url", yamlError("well_known: {client_base_url: 'matrix.example.org'}\n").key());
        assertEquals("federation.outbound_ip_allowlist[0]", yamlError("federation: {outbound_ip_allowlist: [localhost]}\n").key());
        assertEquals("federation.trusted_ca_paths[0]", yamlError("federation: {trusted_ca_paths: [/no/such/ca.pem]}\n").key());
    }
}
