package org.myelin.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The homeserver's configuration, as loaded by {@link ConfigLoader}: built-in
 * {@link #defaults()}, then the YAML file, then {@code MYELIN_*} environment variables.
 * Keys are the snake_case forms of the component names; {@code config/homeserver.example.yaml}
 * documents each one.
 *
 * @param serverName          the server name, the domain part of user ids and room aliases
 * @param dataDir             where the embedded database, signing key and dev certificates live
 * @param database            the PostgreSQL to use; no url means the embedded one
 * @param listeners           the HTTP listeners and the resources each serves
 * @param registration        who may create accounts
 * @param federation          server-server settings
 * @param wellKnown           what {@code /.well-known/matrix/*} advertises
 * @param signingKeyPath      the Ed25519 signing key file; null means {@code <data_dir>/signing.key}
 * @param media               the content repository: where uploads are kept, how large they may be, and
 *                            who may download them how
 * @param logLevel            the level of Myelin's own log (TRACE, DEBUG, INFO, WARN, ERROR)
 * @param auth                token lifetimes and password hashing
 * @param rateLimits          request rate limits (token buckets per user or per address)
 * @param voip                the TURN servers offered to clients for calls
 * @param userDirectory       whom the user directory finds
 * @param requestBodies       how many request bodies are read at once, and for how long
 * @param defaultRoomVersion  the version of rooms created without one (Synapse's key): 12, as the
 *                            spec recommends; 10 or 11 where the rooms must span servers that
 *                            predate version 12
 * @param serverNotices       the server notices user and room
 * @param appServiceConfigFiles the registration files of the application services (bridges), as
 *                            Synapse's key; see {@code org.myelin.server.appservice.Registrations}
 * @param caches              how much memory the caches may take
 */
public record HomeserverConfig(
        String serverName,
        Path dataDir,
        Database database,
        List<Listener> listeners,
        Registration registration,
        Federation federation,
        WellKnown wellKnown,
        Path signingKeyPath,
        Media media,
        String logLevel,
        Auth auth,
        RateLimits rateLimits,
        Voip voip,
        UserDirectory userDirectory,
        RequestBodies requestBodies,
        String defaultRoomVersion,
        ServerNotices serverNotices,
        List<Path> appServiceConfigFiles,
        Caches caches) {

    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

    public HomeserverConfig {
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
        appServiceConfigFiles = appServiceConfigFiles == null ? List.of() : List.copyOf(appServiceConfigFiles);
    }

    /**
     * The configuration with no file and no environment: a working server for one machine.
     * Both listeners bind to loopback only: the client API is meant to sit behind a reverse
     * proxy that terminates TLS (as Synapse's sample config does), and nothing is exposed to
     * the network until the operator says so (bind_address: 0.0.0.0).
     */
    public static HomeserverConfig defaults() {
        return new HomeserverConfig(
                "localhost:8008",
                Path.of("./data"),
                new Database(null, null, null, org.myelin.storage.DatabaseConfig.DEFAULT_MAX_POOL_SIZE),
                List.of(
                        new Listener(8008, DEFAULT_BIND_ADDRESS, null,
                                List.of(Resource.CLIENT, Resource.KEYS, Resource.MEDIA)),
                        new Listener(8448, DEFAULT_BIND_ADDRESS, new Tls(null, null),
                                List.of(Resource.FEDERATION, Resource.KEYS))),
                new Registration(true, true, false, false, null),
                new Federation(true, List.of(), false, List.of(), List.of(), 86_400_000L, 10_000L, 3_600_000L,
                        60_000L),
                new WellKnown(null, null, Support.NONE),
                null,
                Media.DEFAULT,
                "INFO",
                Auth.DEFAULT,
                RateLimits.DEFAULT,
                Voip.NONE,
                UserDirectory.DEFAULT,
                RequestBodies.DEFAULT,
                org.myelin.protocol.version.RoomVersions.DEFAULT.id(),
                ServerNotices.OFF, List.of(), Caches.DEFAULT);
    }

    /** The first listener serving a resource, if any. */
    public Optional<Listener> listenerServing(Resource resource) {
        return listeners.stream().filter(l -> l.resources().contains(resource)).findFirst();
    }

    /** The signing key file, defaulting to {@code <data_dir>/signing.key}. */
    public Path signingKeyFile() {
        return signingKeyPath != null ? signingKeyPath : dataDir.resolve("signing.key");
    }

    /** The storage module's view of {@link #database}. */
    public org.myelin.storage.DatabaseConfig databaseConfig() {
        return new org.myelin.storage.DatabaseConfig(database.url(), database.user(), database.password(), dataDir,
                database.maxPoolSize());
    }

    public HomeserverConfig withServerName(String name) {
        return new HomeserverConfig(name, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withDataDir(Path dir) {
        return new HomeserverConfig(serverName, dir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withDatabase(Database db) {
        return new HomeserverConfig(serverName, dataDir, db, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withListeners(List<Listener> newListeners) {
        return new HomeserverConfig(serverName, dataDir, database, newListeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withWellKnown(WellKnown newWellKnown) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, newWellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withFederation(Federation newFederation) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, newFederation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withMedia(Media newMedia) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, newMedia, logLevel, auth, rateLimits, voip, userDirectory, requestBodies,
                defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withRegistration(Registration newRegistration) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, newRegistration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withAuth(Auth newAuth) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, newAuth, rateLimits, voip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withVoip(Voip newVoip) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, newVoip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withUserDirectory(UserDirectory newUserDirectory) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, newUserDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withDefaultRoomVersion(String version) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory, requestBodies, version, serverNotices,
                appServiceConfigFiles, caches);
    }

    public HomeserverConfig withServerNotices(ServerNotices notices) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory, requestBodies,
                defaultRoomVersion, notices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withAppServiceConfigFiles(List<Path> files) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory, requestBodies,
                defaultRoomVersion, serverNotices, files, caches);
    }

    /** The version of rooms created without one; known, as the config was validated. */
    public org.myelin.protocol.version.RoomVersion roomVersionByDefault() {
        return org.myelin.protocol.version.RoomVersions.find(defaultRoomVersion).orElseThrow();
    }

    public HomeserverConfig withRateLimits(RateLimits newRateLimits) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, newRateLimits, voip, userDirectory,
                requestBodies, defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    public HomeserverConfig withCaches(Caches newCaches) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory, requestBodies,
                defaultRoomVersion, serverNotices, appServiceConfigFiles, newCaches);
    }

    public HomeserverConfig withRequestBodies(RequestBodies newRequestBodies) {
        return new HomeserverConfig(serverName, dataDir, database, listeners, registration, federation, wellKnown,
                signingKeyPath, media, logLevel, auth, rateLimits, voip, userDirectory, newRequestBodies,
                defaultRoomVersion, serverNotices, appServiceConfigFiles, caches);
    }

    /**
     * {@code media}: the content repository (client-server API, "Content repository"), with
     * Synapse's names for its settings.
     *
     * @param storePath                where uploaded content is kept (Synapse's {@code media_store_path});
     *                                 null means {@code <data_dir>/media}
     * @param maxUploadSize            the largest upload, in bytes; past it 413 {@code M_TOO_LARGE}. Uploads
     *                                 stream to disk after authentication, never into memory. The top-level
     *                                 {@code max_request_body_bytes} of earlier configs is read as this
     * @param enableAuthenticatedMedia media uploaded while this is on is served only by the authenticated
     *                                 {@code /_matrix/client/v1/media} endpoints; the deprecated
     *                                 {@code /_matrix/media/v3/download} answers 404 for it (the spec's
     *                                 "freeze"), and keeps serving what was uploaded while it was off
     * @param maxPendingMediaUploads   how many media ids made by {@code POST /_matrix/media/v1/create} a user
     *                                 may have waiting for their content at once
     * @param unusedExpirationTimeMs   how long such an id waits for its content before it expires
     * @param dynamicThumbnails        false: a thumbnail request is answered with the smallest of the sizes made
     *                                 after each upload (32x32 and 96x96 cropped, 320x240, 640x480 and 800x600
     *                                 scaled) that is not smaller than asked, and only larger requests are
     *                                 thumbnailed to their size; true: every request is thumbnailed to its size
     *                                 (Synapse's {@code dynamic_thumbnails})
     * @param maxImagePixels           images of more pixels than this (width times height, read from their header)
     *                                 are not thumbnailed: decoding them could exhaust memory
     * @param urlPreview               URL previews ({@code GET /_matrix/client/v1/media/preview_url}); off by default
     * @param maxUserStorageBytes      the most bytes of uploads a user may keep (what they uploaded and did not
     *                                 have deleted); past it an upload is refused with 403
     *                                 {@code M_USER_LIMIT_EXCEEDED}. Null: no quota (Synapse has none)
     * @param userStorageInfoUri       the {@code info_uri} of that error, which the spec requires: a page telling
     *                                 the user about the quota; required with {@link #maxUserStorageBytes}
     * @param mediaRetention           how long other servers' media is kept unused (Synapse's {@code media_retention})
     */
    public record Media(Path storePath, long maxUploadSize, boolean enableAuthenticatedMedia,
                        int maxPendingMediaUploads, long unusedExpirationTimeMs, boolean dynamicThumbnails,
                        long maxImagePixels, UrlPreview urlPreview, Long maxUserStorageBytes,
                        String userStorageInfoUri, MediaRetention mediaRetention) {
        /**
         * Synapse's defaults: 50 MiB, authenticated media on, 5 pending ids for 24 hours each,
         * thumbnails of the pre-generated sizes, of images of up to 32M pixels; no URL previews,
         * no quota, remote media kept for ever.
         */
        public static final Media DEFAULT = new Media(null, 50L * 1024 * 1024, true, 5, 86_400_000L, false,
                32L * 1024 * 1024);

        public Media {
            urlPreview = urlPreview == null ? UrlPreview.DISABLED : urlPreview;
            mediaRetention = mediaRetention == null ? MediaRetention.KEEP : mediaRetention;
        }

        /** Without URL previews, quota or retention. */
        public Media(Path storePath, long maxUploadSize, boolean enableAuthenticatedMedia, int maxPendingMediaUploads,
                     long unusedExpirationTimeMs, boolean dynamicThumbnails, long maxImagePixels) {
            this(storePath, maxUploadSize, enableAuthenticatedMedia, maxPendingMediaUploads, unusedExpirationTimeMs,
                    dynamicThumbnails, maxImagePixels, UrlPreview.DISABLED, null, null, MediaRetention.KEEP);
        }

        /** Where content is kept: {@link #storePath}, or {@code <dataDir>/media}. */
        public Path storeDir(Path dataDir) {
            return storePath != null ? storePath : dataDir.resolve("media");
        }

        public Media withMaxUploadSize(long bytes) {
            return new Media(storePath, bytes, enableAuthenticatedMedia, maxPendingMediaUploads, unusedExpirationTimeMs,
                    dynamicThumbnails, maxImagePixels, urlPreview, maxUserStorageBytes, userStorageInfoUri,
                    mediaRetention);
        }

        public Media withEnableAuthenticatedMedia(boolean enable) {
            return new Media(storePath, maxUploadSize, enable, maxPendingMediaUploads, unusedExpirationTimeMs,
                    dynamicThumbnails, maxImagePixels, urlPreview, maxUserStorageBytes, userStorageInfoUri,
                    mediaRetention);
        }

        public Media withPendingUploads(int max, long unusedExpirationMs) {
            return new Media(storePath, maxUploadSize, enableAuthenticatedMedia, max, unusedExpirationMs,
                    dynamicThumbnails, maxImagePixels, urlPreview, maxUserStorageBytes, userStorageInfoUri,
                    mediaRetention);
        }

        public Media withThumbnails(boolean dynamic, long maxPixels) {
            return new Media(storePath, maxUploadSize, enableAuthenticatedMedia, maxPendingMediaUploads,
                    unusedExpirationTimeMs, dynamic, maxPixels, urlPreview, maxUserStorageBytes, userStorageInfoUri,
                    mediaRetention);
        }

        public Media withUrlPreview(UrlPreview preview) {
            return new Media(storePath, maxUploadSize, enableAuthenticatedMedia, maxPendingMediaUploads,
                    unusedExpirationTimeMs, dynamicThumbnails, maxImagePixels, preview, maxUserStorageBytes,
                    userStorageInfoUri, mediaRetention);
        }

        public Media withUserStorageQuota(Long maxBytes, String infoUri) {
            return new Media(storePath, maxUploadSize, enableAuthenticatedMedia, maxPendingMediaUploads,
                    unusedExpirationTimeMs, dynamicThumbnails, maxImagePixels, urlPreview, maxBytes, infoUri,
                    mediaRetention);
        }

        public Media withMediaRetention(MediaRetention retention) {
            return new Media(storePath, maxUploadSize, enableAuthenticatedMedia, maxPendingMediaUploads,
                    unusedExpirationTimeMs, dynamicThumbnails, maxImagePixels, urlPreview, maxUserStorageBytes,
                    userStorageInfoUri, retention);
        }
    }

    /**
     * {@code media.url_preview}: previews of the URLs users post (client-server API,
     * {@code GET /_matrix/client/v1/media/preview_url}), which make the server fetch pages and
     * images of the clients' choosing: off by default, as in Synapse.
     *
     * @param enabled       whether the endpoint previews; false: 403 {@code M_FORBIDDEN}
     * @param ipAllowlist   addresses or CIDR ranges a preview may fetch from although they are loopback,
     *                      private, link-local or otherwise not public (refused by default, checked on each
     *                      address right before connecting, redirects included)
     * @param urlBlocklist  URLs never previewed (Synapse's {@code url_preview_url_blacklist}): each entry maps
     *                      parts of a URL ({@code scheme}, {@code netloc}, {@code hostname}, {@code port},
     *                      {@code path}, {@code query}, {@code fragment}, {@code username}, {@code password})
     *                      to a glob, or to a regular expression when it starts with {@code ^}; a URL all of
     *                      whose named parts match one entry is refused
     * @param maxSpiderSize the most bytes fetched of a page or an image (Synapse's {@code max_spider_size})
     */
    public record UrlPreview(boolean enabled, List<String> ipAllowlist, List<java.util.Map<String, String>> urlBlocklist,
                             long maxSpiderSize) {
        /** Off; 10 MiB when on, as Synapse. */
        public static final UrlPreview DISABLED = new UrlPreview(false, List.of(), List.of(), 10L * 1024 * 1024);

        public UrlPreview {
            ipAllowlist = ipAllowlist == null ? List.of() : List.copyOf(ipAllowlist);
            urlBlocklist = urlBlocklist == null ? List.of() : List.copyOf(urlBlocklist);
        }

        public UrlPreview enabledWith(List<String> allowlist) {
            return new UrlPreview(true, allowlist, urlBlocklist, maxSpiderSize);
        }

        public UrlPreview withMaxSpiderSize(long bytes) {
            return new UrlPreview(enabled, ipAllowlist, urlBlocklist, bytes);
        }

        public UrlPreview withUrlBlocklist(List<java.util.Map<String, String>> blocklist) {
            return new UrlPreview(enabled, ipAllowlist, blocklist, maxSpiderSize);
        }
    }

    /**
     * {@code media.media_retention}: other servers' media kept here is deleted (with its
     * thumbnails) once it has not been served for {@code remoteMediaLifetimeMs}; asked for again, it
     * is fetched again. Quarantined media is kept, so that its quarantine holds. Null: kept for ever.
     */
    public record MediaRetention(Long remoteMediaLifetimeMs) {
        public static final MediaRetention KEEP = new MediaRetention(null);
    }

    /**
     * {@code request_bodies}: request bodies are read into memory before their handler runs, so
     * their number and their size at once are bounded, and so is the time a sender may take:
     * slow senders can hold neither memory nor a place for long. A body waits (unread, its
     * connection paused) until both bounds leave room for it.
     *
     * @param maxConcurrentReads how many bodies are read at once
     * @param maxBufferedBytes   how many bytes those bodies may hold together (each counts its
     *                           Content-Length, or its route's limit when it has none); a body
     *                           larger than this is read only when no other is
     * @param readTimeoutMs      how long after its request arrived a body must have been received
     *                           in full; past it, 408 and the connection is closed
     */
    public record RequestBodies(int maxConcurrentReads, long maxBufferedBytes, long readTimeoutMs) {
        /** 64 bodies, 64 MiB, 30 s: room for five full federation transactions (12.5 MiB each). */
        public static final RequestBodies DEFAULT = new RequestBodies(64, 64L * 1024 * 1024, 30_000L);
    }

    /**
     * {@code caches}: how much memory the caches in front of the database may take. The heap
     * bounds the process ({@code -Xmx} in {@code config/jvm.options}); the largest cache is
     * sized from it unless set, so that a smaller heap gets a smaller cache instead of a heap
     * that the cache fills (BENCHMARKS.md, "Footprint under ClientLoad").
     *
     * @param eventCacheBytes what committed events kept in memory may take, by their estimated
     *                        size (they are read again and again by auth checks, state
     *                        resolution and /sync); at least 1 MiB. null: an
     *                        {@value #EVENT_CACHE_HEAP_DIVISOR}th of the maximum heap, and no
     *                        less than 16 MiB
     */
    public record Caches(Long eventCacheBytes) {
        public static final Caches DEFAULT = new Caches(null);
        /** Below this the cache would not even hold the state events that every auth check reads. */
        public static final long MIN_EVENT_CACHE_BYTES = 1L << 20;
        static final int EVENT_CACHE_HEAP_DIVISOR = 8;
        static final long DERIVED_EVENT_CACHE_FLOOR = 16L << 20;

        /** The event cache's bound in a JVM whose maximum heap is {@code maxHeapBytes}. */
        public long eventCacheBytes(long maxHeapBytes) {
            if (eventCacheBytes != null) {
                return eventCacheBytes;
            }
            return Math.max(DERIVED_EVENT_CACHE_FLOOR, maxHeapBytes / EVENT_CACHE_HEAP_DIVISOR);
        }
    }

    /**
     * {@code voip}: the TURN servers clients use for calls ({@code GET /voip/turnServer}), with
     * either a secret shared with the TURN server, from which each user gets credentials that
     * expire ({@code use-auth-secret} in coturn), or one fixed username and password. No URIs:
     * no TURN server is offered.
     *
     * @param turnUserLifetimeMs how long credentials made from the shared secret are valid
     * @param turnAllowGuests    whether guests get credentials too
     */
    public record Voip(List<String> turnUris, String turnSharedSecret, String turnUsername, String turnPassword,
                       long turnUserLifetimeMs, boolean turnAllowGuests) {
        public static final Voip NONE = new Voip(List.of(), null, null, null, 3_600_000L, true);

        public Voip {
            turnUris = turnUris == null ? List.of() : List.copyOf(turnUris);
        }

        @Override
        public String toString() {
            // Never the secret or the password.
            return "Voip[turnUris=" + turnUris + ", turnSharedSecret=" + (turnSharedSecret == null ? null : "<set>")
                    + ", turnUsername=" + turnUsername + ", turnPassword=" + (turnPassword == null ? null : "<set>")
                    + ", turnUserLifetimeMs=" + turnUserLifetimeMs + ", turnAllowGuests=" + turnAllowGuests + "]";
        }
    }

    /**
     * {@code server_notices}: notices an admin sends to users (Synapse's admin API, "Server
     * Notices") come from {@code @<system_mxid_localpart>:<server_name>} in a room of that user's
     * own, named {@code room_name}. Off while {@code system_mxid_localpart} is not set (Synapse's
     * default); then sending answers 400.
     */
    public record ServerNotices(String systemMxidLocalpart, String systemMxidDisplayName, String systemMxidAvatarUrl,
                                String roomName) {
        public static final ServerNotices OFF = new ServerNotices(null, null, null, "Server Notices");

        public boolean enabled() {
            return systemMxidLocalpart != null;
        }
    }

    /**
     * {@code user_directory}: by default a search finds the users who share a room with the
     * searcher and the members of published rooms (Synapse's default); with
     * {@code search_all_users}, every user of this server too, as an organisation's people expect
     * of their colleagues.
     */
    public record UserDirectory(boolean searchAllUsers) {
        public static final UserDirectory DEFAULT = new UserDirectory(false);
    }

    /**
     * {@code database}: an external PostgreSQL, or the embedded one when {@code url} is null.
     *
     * @param healthCheckIntervalMs how often the database is asked whether it answers ({@code GET /health}
     *                              reports the last answer; a lost embedded PostgreSQL is restarted)
     */
    public record Database(String url, String user, String password, int maxPoolSize, long healthCheckIntervalMs) {
        public static final long DEFAULT_HEALTH_CHECK_INTERVAL_MS = 5_000L;

        /** With the default health check interval. */
        public Database(String url, String user, String password, int maxPoolSize) {
            this(url, user, password, maxPoolSize, DEFAULT_HEALTH_CHECK_INTERVAL_MS);
        }

        public Database withHealthCheckIntervalMs(long intervalMs) {
            return new Database(url, user, password, maxPoolSize, intervalMs);
        }

        @Override
        public String toString() {
            return "Database[url=" + url + ", user=" + user + ", password=" + (password == null ? null : "***")
                    + ", maxPoolSize=" + maxPoolSize + ", healthCheckIntervalMs=" + healthCheckIntervalMs + "]";
        }
    }

    /**
     * One entry of {@code listeners}: a port, the address it binds, TLS or not, and the
     * resources it serves. Port 0 takes a free port (tests).
     *
     * @param xForwarded the listener sits behind a reverse proxy: a request's client address is the
     *                   last one in its {@code X-Forwarded-For} header (the one the proxy added), not the
     *                   proxy's (Synapse's {@code x_forwarded})
     */
    public record Listener(Integer port, String bindAddress, Tls tls, List<Resource> resources, Boolean xForwarded) {
        public Listener {
            bindAddress = bindAddress == null ? DEFAULT_BIND_ADDRESS : bindAddress;
            resources = resources == null ? List.of() : List.copyOf(resources);
            xForwarded = xForwarded != null && xForwarded; // a listener of the file that leaves it out
        }

        /** A listener that takes client addresses from its connections. */
        public Listener(Integer port, String bindAddress, Tls tls, List<Resource> resources) {
            this(port, bindAddress, tls, resources, false);
        }

        public Listener withPort(int newPort) {
            return new Listener(newPort, bindAddress, tls, resources, xForwarded);
        }

        public Listener withXForwarded(boolean behindProxy) {
            return new Listener(port, bindAddress, tls, resources, behindProxy);
        }
    }

    /**
     * {@code listeners[].tls}: the PEM certificate chain and private key. Both null means a
     * self-signed certificate generated into the data dir (only with
     * {@code federation.tls_self_signed_dev}).
     */
    public record Tls(Path certificatePath, Path keyPath) {
        public boolean selfSigned() {
            return certificatePath == null && keyPath == null;
        }
    }

    /** {@code registration}: who may create accounts. */
    public record Registration(boolean enabled, boolean loopbackOnly, boolean requireToken, boolean guestAccess,
                               String sharedSecret) {
        @Override
        public String toString() {
            return "Registration[enabled=" + enabled + ", loopbackOnly=" + loopbackOnly + ", requireToken=" + requireToken
                    + ", guestAccess=" + guestAccess + ", sharedSecret=" + (sharedSecret == null ? null : "***") + "]";
        }
    }

    /**
     * {@code federation}: TLS trust, where outbound requests may go, whom to ask for keys, and timing.
     *
     * @param notaryServers    servers trusted to vouch for other servers' keys when those cannot be
     *                         fetched from the server itself (Synapse's {@code trusted_key_servers})
     * @param keyValidityMs    how long the keys this server publishes are valid ({@code valid_until_ts})
     * @param backoffInitialMs the wait after a destination's first failure; it doubles at each further one
     * @param backoffMaxMs     the longest wait between attempts to reach a destination
     * @param requestTimeoutMs how long one outbound request may take
     */
    public record Federation(boolean tlsSelfSignedDev, List<Path> trustedCaPaths, boolean allowInsecureSelfSigned,
                             List<String> outboundIpAllowlist, List<String> notaryServers, long keyValidityMs,
                             long backoffInitialMs, long backoffMaxMs, long requestTimeoutMs) {
        public Federation {
            trustedCaPaths = trustedCaPaths == null ? List.of() : List.copyOf(trustedCaPaths);
            outboundIpAllowlist = outboundIpAllowlist == null ? List.of() : List.copyOf(outboundIpAllowlist);
            notaryServers = notaryServers == null ? List.of() : List.copyOf(notaryServers);
        }

        /** The same settings, with outbound TLS and address checks relaxed as tests on loopback need. */
        public Federation forLoopbackTests() {
            return new Federation(tlsSelfSignedDev, trustedCaPaths, true, List.of("127.0.0.0/8", "::1"), notaryServers,
                    keyValidityMs, backoffInitialMs, backoffMaxMs, requestTimeoutMs);
        }

        public Federation withNotaryServers(List<String> notaries) {
            return new Federation(tlsSelfSignedDev, trustedCaPaths, allowInsecureSelfSigned, outboundIpAllowlist,
                    notaries, keyValidityMs, backoffInitialMs, backoffMaxMs, requestTimeoutMs);
        }

        public Federation withBackoff(long initialMs, long maxMs) {
            return new Federation(tlsSelfSignedDev, trustedCaPaths, allowInsecureSelfSigned, outboundIpAllowlist,
                    notaryServers, keyValidityMs, initialMs, maxMs, requestTimeoutMs);
        }
    }

    /**
     * {@code well_known}: overrides of what discovery advertises; null derives it from the listeners.
     *
     * @param support what {@code /.well-known/matrix/support} answers (client-server API, "Getting
     *                support information"); nothing configured: 404
     */
    public record WellKnown(String clientBaseUrl, String server, Support support) {
        public WellKnown {
            support = support == null ? Support.NONE : support;
        }

        /** Without support information. */
        public WellKnown(String clientBaseUrl, String server) {
            this(clientBaseUrl, server, Support.NONE);
        }
    }

    /**
     * {@code well_known.support}: who administers this server and where its users find help.
     *
     * @param contacts    ways to reach the administrators, each with a role
     * @param supportPage a page of help for this server's users; null for none
     */
    public record Support(List<SupportContact> contacts, String supportPage) {
        public static final Support NONE = new Support(List.of(), null);

        public Support {
            contacts = contacts == null ? List.of() : List.copyOf(contacts);
        }

        /** Whether there is anything to serve: a contact or a page. */
        public boolean configured() {
            return !contacts.isEmpty() || supportPage != null;
        }
    }

    /**
     * One of {@code well_known.support.contacts}: a Matrix user id, an email address or both, and
     * what they are for ({@code m.role.admin}, {@code m.role.security} or a namespaced role).
     */
    public record SupportContact(String matrixId, String emailAddress, String role) {}

    /**
     * {@code auth}: sessions and passwords.
     *
     * @param refreshableAccessTokenLifetimeMs    lifetime of access tokens issued with a refresh
     *                                            token (clients that sent {@code refresh_token: true})
     * @param nonrefreshableAccessTokenLifetimeMs lifetime of other access tokens; null: never expire
     * @param passwordHashing                     Argon2id cost of new password hashes
     * @param loginViaExistingSession             whether a logged-in client may get a login token for
     *                                            another ({@code POST /login/get_token})
     */
    public record Auth(long refreshableAccessTokenLifetimeMs, Long nonrefreshableAccessTokenLifetimeMs,
                       PasswordHashing passwordHashing, LoginViaExistingSession loginViaExistingSession) {
        /** Synapse's defaults: refreshable tokens live 5 minutes, others forever; no login tokens. */
        public static final Auth DEFAULT = new Auth(5 * 60_000L, null, PasswordHashing.DEFAULT,
                LoginViaExistingSession.DISABLED);

        public Auth {
            passwordHashing = passwordHashing == null ? PasswordHashing.DEFAULT : passwordHashing;
            loginViaExistingSession = loginViaExistingSession == null ? LoginViaExistingSession.DISABLED
                    : loginViaExistingSession;
        }

        /** Without login via an existing session. */
        public Auth(long refreshableAccessTokenLifetimeMs, Long nonrefreshableAccessTokenLifetimeMs,
                    PasswordHashing passwordHashing) {
            this(refreshableAccessTokenLifetimeMs, nonrefreshableAccessTokenLifetimeMs, passwordHashing,
                    LoginViaExistingSession.DISABLED);
        }

        public Auth withLoginViaExistingSession(LoginViaExistingSession login) {
            return new Auth(refreshableAccessTokenLifetimeMs, nonrefreshableAccessTokenLifetimeMs, passwordHashing,
                    login);
        }
    }

    /**
     * {@code auth.login_via_existing_session} (Synapse's key): a logged-in client asks
     * {@code POST /_matrix/client/v1/login/get_token} for a single-use {@code m.login.token} with
     * which another client logs in as the same user (client-server API, "Login tokens", MSC3882).
     *
     * @param enabled        off by default, as in Synapse: such a token is a session for whoever holds it
     * @param requireUiAuth  whether the request must pass user-interactive auth (every time)
     * @param tokenTimeoutMs how long a token may be used
     */
    public record LoginViaExistingSession(boolean enabled, boolean requireUiAuth, long tokenTimeoutMs) {
        /** Synapse's defaults: off; when on, under user-interactive auth, tokens valid 5 minutes. */
        public static final LoginViaExistingSession DISABLED = new LoginViaExistingSession(false, true, 300_000L);
    }

    /**
     * {@code auth.password_hashing}: Argon2id parameters (RFC 9106). Changing them affects new
     * hashes only; existing hashes carry their own parameters.
     *
     * @param memoryKib   memory per hash in KiB
     * @param iterations  passes over the memory
     * @param parallelism lanes
     * @param concurrency hashes (and verifications) at once, others wait: bounds both the CPU that
     *                    logins take and the heap ({@code concurrency × memoryKib})
     */
    public record PasswordHashing(int memoryKib, int iterations, int parallelism, int concurrency) {
        /** 32 MiB, 2 passes, 1 lane (above OWASP's minimum of 19 MiB): about 60 ms per hash on 2 cores. */
        public static final PasswordHashing DEFAULT = new PasswordHashing(32_768, 2, 1);

        /** At most half the cores hash at once, so that logins leave carrier threads to other requests. */
        public PasswordHashing(int memoryKib, int iterations, int parallelism) {
            this(memoryKib, iterations, parallelism, Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        }
    }

    /**
     * {@code rate_limits}: token buckets (Synapse's {@code rc_*}): each key (an address or a
     * user) may make {@code burst} requests at once, refilled at {@code per_second}.
     *
     * @param login         login attempts, per client address and per account tried
     * @param loginFailures failed logins per account
     * @param registration  registrations per client address
     * @param message       messages sent per user
     */
    public record RateLimits(RateLimit login, RateLimit loginFailures, RateLimit registration, RateLimit message) {
        /** Synapse's defaults, with login per address and per account as generous as its failed attempts. */
        public static final RateLimits DEFAULT = new RateLimits(new RateLimit(0.17, 3), new RateLimit(0.17, 3),
                new RateLimit(0.17, 3), new RateLimit(0.2, 10));

        public RateLimits {
            login = login == null ? DEFAULT.login : login;
            loginFailures = loginFailures == null ? DEFAULT.loginFailures : loginFailures;
            registration = registration == null ? DEFAULT.registration : registration;
            message = message == null ? DEFAULT.message : message;
        }
    }

    /** One {@code rate_limits} entry: {@code burst} at once, refilled at {@code per_second}. */
    public record RateLimit(double perSecond, int burst) {}
}
