package org.myelin.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Checks a bound {@link HomeserverConfig} for values Myelin cannot run with. */
final class ConfigValidator {

    private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    /** An IPv4 or IPv6 address, optionally with a /prefix. */
    private static final Pattern IP_RANGE = Pattern.compile("[0-9A-Fa-f:.]+(/\\d{1,3})?");
    /** The roles of support contacts the spec names; others must be namespaced outside {@code m.}. */
    private static final Set<String> SUPPORT_ROLES = Set.of("m.role.admin", "m.role.security");

    private ConfigValidator() {}

    static void validate(HomeserverConfig c) {
        if (c.serverName() == null || c.serverName().isBlank()) {
            throw new ConfigException("server_name", "is required");
        }
        try {
            ServerNames.parse(c.serverName());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("server_name", e.getMessage());
        }
        required(c.dataDir(), "data_dir");
        required(c.database(), "database");
        required(c.registration(), "registration");
        required(c.federation(), "federation");
        required(c.wellKnown(), "well_known");
        if (c.database().maxPoolSize() < 1) {
            throw new ConfigException("database.max_pool_size", "must be at least 1");
        }
        positive(c.database().healthCheckIntervalMs(), "database.health_check_interval_ms");
        validateListeners(c.listeners(), c.federation().tlsSelfSignedDev());
        validateMedia(c.media());
        if (c.logLevel() == null || !LOG_LEVELS.contains(c.logLevel().toUpperCase(java.util.Locale.ROOT))) {
            throw new ConfigException("log_level", "'" + c.logLevel() + "' is not one of " + String.join(", ",
                    List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR")));
        }
        if (c.registration().sharedSecret() != null && c.registration().sharedSecret().isBlank()) {
            throw new ConfigException("registration.shared_secret", "must not be blank (leave it out to disable)");
        }
        validateFederation(c.federation());
        validateWellKnown(c.wellKnown());
        validateAuth(c.auth());
        validateRateLimits(c.rateLimits());
        validateVoip(c.voip());
        required(c.userDirectory(), "user_directory");
        validateRequestBodies(c.requestBodies());
        validateCaches(c.caches());
        validateDefaultRoomVersion(c.defaultRoomVersion());
        validateServerNotices(c.serverNotices(), c.serverName());
        validateAppServiceConfigFiles(c.appServiceConfigFiles());
    }

    /** Each registration file must be there; what it says is checked when the server starts. */
    private static void validateAppServiceConfigFiles(List<Path> files) {
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            if (file == null || file.toString().isBlank()) {
                throw new ConfigException("app_service_config_files[" + i + "]", "must be a file path");
            }
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new ConfigException("app_service_config_files[" + i + "]",
                        file.toAbsolutePath() + " is not a readable file");
            }
        }
    }

    private static void validateServerNotices(HomeserverConfig.ServerNotices n, String serverName) {
        required(n, "server_notices");
        String localpart = n.systemMxidLocalpart();
        if (localpart != null && (localpart.isEmpty() || !localpart.equals(localpart.toLowerCase(java.util.Locale.ROOT))
                || !org.myelin.protocol.id.UserId.isStrictlyValid("@" + localpart + ":" + serverName))) {
            throw new ConfigException("server_notices.system_mxid_localpart",
                    "'" + localpart + "' is not a user id localpart (a-z, 0-9, =_-./+)");
        }
        if (n.roomName() == null || n.roomName().isBlank()) {
            throw new ConfigException("server_notices.room_name", "must not be blank");
        }
    }

    private static void validateMedia(HomeserverConfig.Media m) {
        required(m, "media");
        if (m.maxUploadSize() < 1) {
            throw new ConfigException("media.max_upload_size", "must be a positive number of bytes");
        }
        if (m.maxPendingMediaUploads() < 1) {
            throw new ConfigException("media.max_pending_media_uploads", "must be at least 1");
        }
        positive(m.unusedExpirationTimeMs(), "media.unused_expiration_time_ms");
        if (m.maxImagePixels() < 1) {
            throw new ConfigException("media.max_image_pixels", "must be a positive number of pixels");
        }
        validateUrlPreview(m.urlPreview());
        if (m.maxUserStorageBytes() != null) {
            if (m.maxUserStorageBytes() < 1) {
                throw new ConfigException("media.max_user_storage_bytes", "must be a positive number of bytes, or null");
            }
            if (m.userStorageInfoUri() == null || !absoluteUri(m.userStorageInfoUri())) {
                throw new ConfigException("media.user_storage_info_uri", "must be an absolute URI (the spec requires"
                        + " one in M_USER_LIMIT_EXCEEDED) when media.max_user_storage_bytes is set");
            }
        }
        Long lifetime = m.mediaRetention().remoteMediaLifetimeMs();
        if (lifetime != null) {
            positive(lifetime, "media.media_retention.remote_media_lifetime_ms");
        }
    }

    /** The parts of a URL an entry of {@code media.url_preview.url_blocklist} may name (Python's urlsplit's). */
    private static final Set<String> URL_PARTS = Set.of("scheme", "netloc", "hostname", "port", "path", "query",
            "fragment", "username", "password");

    private static void validateUrlPreview(HomeserverConfig.UrlPreview p) {
        for (int i = 0; i < p.ipAllowlist().size(); i++) {
            String range = p.ipAllowlist().get(i);
            if (range == null || !IP_RANGE.matcher(range).matches()) {
                throw new ConfigException("media.url_preview.ip_allowlist[" + i + "]",
                        "'" + range + "' is not an IP address or CIDR range such as 127.0.0.0/8");
            }
        }
        for (int i = 0; i < p.urlBlocklist().size(); i++) {
            String key = "media.url_preview.url_blocklist[" + i + "]";
            Map<String, String> entry = p.urlBlocklist().get(i);
            if (entry == null || entry.isEmpty()) {
                throw new ConfigException(key, "must map parts of a URL (" + String.join(", ", new TreeSet<>(URL_PARTS))
                        + ") to patterns");
            }
            for (Map.Entry<String, String> part : entry.entrySet()) {
                if (!URL_PARTS.contains(part.getKey())) {
                    throw new ConfigException(key + "." + part.getKey(), "is not a part of a URL (one of "
                            + String.join(", ", new TreeSet<>(URL_PARTS)) + ")");
                }
                String pattern = part.getValue();
                if (pattern == null) {
                    throw new ConfigException(key + "." + part.getKey(), "must be a glob or a regular expression");
                }
                if (pattern.startsWith("^")) {
                    try {
                        Pattern.compile(pattern);
                    } catch (java.util.regex.PatternSyntaxException e) {
                        throw new ConfigException(key + "." + part.getKey(), "is not a regular expression: "
                                + e.getDescription());
                    }
                }
            }
        }
        if (p.maxSpiderSize() < 1) {
            throw new ConfigException("media.url_preview.max_spider_size", "must be a positive number of bytes");
        }
    }

    private static boolean absoluteUri(String value) {
        try {
            URI uri = new URI(value);
            return uri.isAbsolute() && uri.getScheme() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void validateRequestBodies(HomeserverConfig.RequestBodies r) {
        required(r, "request_bodies");
        if (r.maxConcurrentReads() < 1) {
            throw new ConfigException("request_bodies.max_concurrent_reads", "must be at least 1");
        }
        if (r.maxBufferedBytes() < 1) {
            throw new ConfigException("request_bodies.max_buffered_bytes", "must be positive");
        }
        positive(r.readTimeoutMs(), "request_bodies.read_timeout_ms");
    }

    private static void validateCaches(HomeserverConfig.Caches c) {
        required(c, "caches");
        Long eventCache = c.eventCacheBytes();
        if (eventCache != null && eventCache < HomeserverConfig.Caches.MIN_EVENT_CACHE_BYTES) {
            throw new ConfigException("caches.event_cache_bytes", "must be at least "
                    + HomeserverConfig.Caches.MIN_EVENT_CACHE_BYTES + " (1 MiB), or null to size it from the heap");
        }
        // A cache the heap cannot hold would leave the server collecting garbage, then out of memory.
        long heap = Runtime.getRuntime().maxMemory();
        if (eventCache != null && heap != Long.MAX_VALUE && eventCache > heap / 2) {
            throw new ConfigException("caches.event_cache_bytes", eventCache + " is more than half the JVM's maximum heap ("
                    + heap + " bytes): raise -Xmx in config/jvm.options or lower this");
        }
    }

    /** A version this server can create rooms of (the protocol's registry), as Synapse checks it. */
    private static void validateDefaultRoomVersion(String version) {
        if (version == null || org.myelin.protocol.version.RoomVersions.find(version).isEmpty()) {
            throw new ConfigException("default_room_version", "'" + version + "' is not a known room version (one of "
                    + String.join(", ", org.myelin.protocol.version.RoomVersions.all().stream()
                            .map(org.myelin.protocol.version.RoomVersion::id).toList()) + ")");
        }
    }

    private static void validateVoip(HomeserverConfig.Voip v) {
        required(v, "voip");
        for (String uri : v.turnUris()) {
            if (uri == null || !(uri.startsWith("turn:") || uri.startsWith("turns:") || uri.startsWith("stun:"))) {
                throw new ConfigException("voip.turn_uris", "'" + uri + "' is not a turn:, turns: or stun: URI");
            }
        }
        if (v.turnUserLifetimeMs() < 1) {
            throw new ConfigException("voip.turn_user_lifetime_ms", "must be positive");
        }
        if (v.turnSharedSecret() != null && v.turnSharedSecret().isBlank()) {
            throw new ConfigException("voip.turn_shared_secret", "must not be blank (leave it out to disable)");
        }
        if (v.turnSharedSecret() != null && v.turnUsername() != null) {
            throw new ConfigException("voip.turn_username", "give either turn_shared_secret or turn_username and"
                    + " turn_password, not both");
        }
        if ((v.turnUsername() == null) != (v.turnPassword() == null)) {
            throw new ConfigException("voip.turn_password", "turn_username and turn_password go together");
        }
    }

    private static void validateAuth(HomeserverConfig.Auth a) {
        required(a, "auth");
        if (a.refreshableAccessTokenLifetimeMs() < 1) {
            throw new ConfigException("auth.refreshable_access_token_lifetime_ms", "must be positive");
        }
        if (a.nonrefreshableAccessTokenLifetimeMs() != null && a.nonrefreshableAccessTokenLifetimeMs() < 1) {
            throw new ConfigException("auth.nonrefreshable_access_token_lifetime_ms",
                    "must be positive (leave it out for tokens that never expire)");
        }
        HomeserverConfig.PasswordHashing h = a.passwordHashing();
        if (h.parallelism() < 1 || h.parallelism() > 64) {
            throw new ConfigException("auth.password_hashing.parallelism", "must be between 1 and 64");
        }
        if (h.iterations() < 1) {
            throw new ConfigException("auth.password_hashing.iterations", "must be at least 1");
        }
        if (h.memoryKib() < 8 * h.parallelism()) {
            throw new ConfigException("auth.password_hashing.memory_kib", "must be at least 8 × parallelism");
        }
        if (h.concurrency() < 1) {
            throw new ConfigException("auth.password_hashing.concurrency", "must be at least 1");
        }
        positive(a.loginViaExistingSession().tokenTimeoutMs(), "auth.login_via_existing_session.token_timeout_ms");
    }

    private static void validateRateLimits(HomeserverConfig.RateLimits r) {
        required(r, "rate_limits");
        rateLimit(r.login(), "rate_limits.login");
        rateLimit(r.loginFailures(), "rate_limits.login_failures");
        rateLimit(r.registration(), "rate_limits.registration");
        rateLimit(r.message(), "rate_limits.message");
    }

    private static void rateLimit(HomeserverConfig.RateLimit limit, String key) {
        if (!(limit.perSecond() > 0) || Double.isInfinite(limit.perSecond())) {
            throw new ConfigException(key + ".per_second", "must be a positive number");
        }
        if (limit.burst() < 1) {
            throw new ConfigException(key + ".burst", "must be at least 1");
        }
    }

    private static void validateListeners(List<HomeserverConfig.Listener> listeners, boolean selfSignedAllowed) {
        if (listeners.isEmpty()) {
            throw new ConfigException("listeners", "at least one listener is required");
        }
        Map<String, Integer> taken = new HashMap<>();
        for (int i = 0; i < listeners.size(); i++) {
            HomeserverConfig.Listener l = listeners.get(i);
            String key = "listeners[" + i + "]";
            if (l == null) {
                throw new ConfigException(key, "must be a mapping with port, bind_address, tls and resources");
            }
            if (l.port() == null) {
                throw new ConfigException(key + ".port", "is required");
            }
            if (l.port() < 0 || l.port() > 65535) {
                throw new ConfigException(key + ".port", l.port() + " is out of range 0-65535");
            }
            if (l.bindAddress().isBlank()) {
                throw new ConfigException(key + ".bind_address", "must not be blank");
            }
            if (l.resources().isEmpty()) {
                throw new ConfigException(key + ".resources", "list at least one of client, federation, keys, media, metrics");
            }
            // Metrics tell anyone who reads them about the server's users and load: they get a
            // listener of their own, which can stay on loopback while the APIs are public.
            if (l.resources().contains(Resource.METRICS) && l.resources().size() > 1) {
                throw new ConfigException(key + ".resources",
                        "metrics must be served by a listener of its own, not beside other resources");
            }
            if (l.port() != 0) {
                Integer other = taken.put(l.bindAddress() + ":" + l.port(), i);
                if (other != null) {
                    throw new ConfigException(key + ".port", "listeners[" + other + "] already uses " + l.bindAddress()
                            + ":" + l.port() + "; serve several resources from one listener instead");
                }
            }
            if (l.tls() != null) {
                validateTls(l.tls(), key + ".tls", selfSignedAllowed);
            }
        }
    }

    private static void validateTls(HomeserverConfig.Tls tls, String key, boolean selfSignedAllowed) {
        if (tls.selfSigned()) {
            if (!selfSignedAllowed) {
                throw new ConfigException(key + ".certificate_path",
                        "is required unless federation.tls_self_signed_dev is true");
            }
            return;
        }
        if (tls.certificatePath() == null) {
            throw new ConfigException(key + ".certificate_path", "is required when key_path is set");
        }
        if (tls.keyPath() == null) {
            throw new ConfigException(key + ".key_path", "is required when certificate_path is set");
        }
        readable(tls.certificatePath(), key + ".certificate_path");
        readable(tls.keyPath(), key + ".key_path");
    }

    private static void validateFederation(HomeserverConfig.Federation f) {
        for (int i = 0; i < f.trustedCaPaths().size(); i++) {
            readable(f.trustedCaPaths().get(i), "federation.trusted_ca_paths[" + i + "]");
        }
        for (int i = 0; i < f.outboundIpAllowlist().size(); i++) {
            String range = f.outboundIpAllowlist().get(i);
            if (range == null || !IP_RANGE.matcher(range).matches()) {
                throw new ConfigException("federation.outbound_ip_allowlist[" + i + "]",
                        "'" + range + "' is not an IP address or CIDR range such as 127.0.0.0/8");
            }
        }
        for (int i = 0; i < f.notaryServers().size(); i++) {
            String notary = f.notaryServers().get(i);
            if (notary == null || !org.myelin.protocol.id.ServerName.isValid(notary)) {
                throw new ConfigException("federation.notary_servers[" + i + "]", "'" + notary + "' is not a server name");
            }
        }
        positive(f.keyValidityMs(), "federation.key_validity_ms");
        positive(f.backoffInitialMs(), "federation.backoff_initial_ms");
        positive(f.backoffMaxMs(), "federation.backoff_max_ms");
        positive(f.requestTimeoutMs(), "federation.request_timeout_ms");
        if (f.backoffMaxMs() < f.backoffInitialMs()) {
            throw new ConfigException("federation.backoff_max_ms", "must not be less than federation.backoff_initial_ms");
        }
    }

    private static void positive(long value, String key) {
        if (value <= 0) {
            throw new ConfigException(key, "must be a positive number of milliseconds, not " + value);
        }
    }

    private static void validateWellKnown(HomeserverConfig.WellKnown w) {
        if (w.clientBaseUrl() != null) {
            httpUrl(w.clientBaseUrl(), "well_known.client_base_url", "https://matrix.example.org");
        }
        if (w.server() != null) {
            try {
                ServerNames.parse(w.server());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("well_known.server", e.getMessage());
            }
        }
        validateSupport(w.support());
    }

    /** Each contact as the spec's support document requires it: a role, and a user id or an email address. */
    private static void validateSupport(HomeserverConfig.Support s) {
        for (int i = 0; i < s.contacts().size(); i++) {
            HomeserverConfig.SupportContact contact = s.contacts().get(i);
            String key = "well_known.support.contacts[" + i + "]";
            if (contact == null) {
                throw new ConfigException(key, "must be a mapping with role and matrix_id or email_address");
            }
            if (contact.role() == null || contact.role().isBlank()) {
                throw new ConfigException(key + ".role", "is required (m.role.admin, m.role.security or a"
                        + " namespaced role such as org.example.billing)");
            }
            if (contact.role().startsWith("m.") && !SUPPORT_ROLES.contains(contact.role())) {
                throw new ConfigException(key + ".role", "'" + contact.role() + "' is not m.role.admin or"
                        + " m.role.security (other roles are namespaced, e.g. org.example.billing)");
            }
            if (contact.matrixId() == null && contact.emailAddress() == null) {
                throw new ConfigException(key, "give matrix_id, email_address or both");
            }
            if (contact.matrixId() != null && !org.myelin.protocol.id.UserId.isValid(contact.matrixId())) {
                throw new ConfigException(key + ".matrix_id", "'" + contact.matrixId() + "' is not a user id such as"
                        + " @admin:example.org");
            }
            if (contact.emailAddress() != null && !contact.emailAddress().matches("[^@\\s]+@[^@\\s]+")) {
                throw new ConfigException(key + ".email_address", "'" + contact.emailAddress()
                        + "' is not an email address");
            }
        }
        if (s.supportPage() != null) {
            httpUrl(s.supportPage(), "well_known.support.support_page", "https://example.org/support.html");
        }
    }

    private static void httpUrl(String url, String key, String example) {
        try {
            URI uri = new URI(url);
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(url, "not an http(s) URL with a host");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + url + "' is not an http(s) URL such as " + example);
        }
    }

    private static void required(Object value, String key) {
        if (value == null) {
            throw new ConfigException(key, "is required");
        }
    }

    private static void readable(Path file, String key) {
        if (!Files.isReadable(file)) {
            throw new ConfigException(key, "file " + file.toAbsolutePath() + " does not exist or is not readable");
        }
    }
}
