package org.myelin.server.media;

import com.github.benmanes.caffeine.cache.Cache;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.myelin.federation.discovery.AddressResolver;
import org.myelin.federation.media.RemoteMediaClient;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.StartupException;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.Routes;
import org.myelin.server.media.preview.UrlPreviewRoutes;
import org.myelin.server.media.preview.UrlPreviews;
import org.myelin.storage.media.ContentCollector;
import org.myelin.storage.media.LocalMediaStore;
import org.myelin.storage.media.MediaQuarantine;
import org.myelin.storage.media.MediaRepository;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.OriginThumbnailRepository;
import org.myelin.storage.media.RemoteMediaRepository;
import org.myelin.storage.media.ThumbnailRepository;
import org.myelin.storage.media.UrlPreviewRepository;
import org.myelin.storage.media.UserMediaRepository;

/**
 * The content repository, wired: the media store ({@code media.store_path}, or
 * {@code data_dir/media}), the media tables, uploads, downloads and thumbnails, other servers'
 * media ({@link FederatedMedia}, which downloads once federation is up: {@link #downloadRemoteWith}),
 * and the routes of the {@code media} resource. What other servers download of ours is
 * {@link #forServers}, served by the federation listener.
 */
public final class MediaServices implements AutoCloseable {

    public final MediaStore store;
    public final MediaRepository repository;
    public final ThumbnailRepository thumbnailRows;
    public final Thumbnails thumbnails;
    public final MediaUploads uploads;
    public final MediaDownloads downloads;
    public final MediaForServers forServers;
    public final MediaAdmin admin;
    public final MediaRetention retention;
    public final UrlPreviews previews;
    private final FederatedMedia remote;
    private final OriginThumbnails originThumbnails;
    private final HomeserverConfig.Media config;
    private final Clock clock;

    public MediaServices(HomeserverConfig config, DataSource dataSource, Clock clock) {
        this.config = config.media();
        this.clock = clock;
        try {
            this.store = new LocalMediaStore(config.media().storeDir(config.dataDir()));
        } catch (IOException e) {
            throw new StartupException("media.store_path: cannot use "
                    + config.media().storeDir(config.dataDir()).toAbsolutePath() + ": " + e, e);
        }
        ServerName serverName = ServerName.parse(config.serverName());
        this.repository = new MediaRepository(dataSource);
        RemoteMediaRepository remoteRows = new RemoteMediaRepository(dataSource);
        this.remote = new FederatedMedia(store, remoteRows, config.media().maxUploadSize(),
                config.media().enableAuthenticatedMedia(), clock);
        ContentCollector contents = new ContentCollector(dataSource, store);
        this.thumbnailRows = new ThumbnailRepository(dataSource, serverName);
        this.thumbnails = new Thumbnails(store, thumbnailRows, config.media(), clock);
        this.uploads = new MediaUploads(serverName, new MediaUploads.Storage(store, repository, contents), config.media(),
                thumbnails, clock);
        this.downloads = new MediaDownloads(serverName, store, repository, remote, config.media(), clock);
        this.forServers = new MediaForServers(serverName, downloads, thumbnails);
        this.admin = new MediaAdmin(repository,
                new MediaQuarantine(dataSource, serverName, config.media().enableAuthenticatedMedia()),
                new UserMediaRepository(dataSource), contents, clock);
        UrlPreviewRepository previewRows = new UrlPreviewRepository(dataSource);
        this.retention = new MediaRetention(new MediaRetention.Parts(remoteRows, repository, previewRows, contents),
                config.media().mediaRetention().remoteMediaLifetimeMs(), clock);
        this.originThumbnails = new OriginThumbnails(new OriginThumbnails.Storage(store, remoteRows,
                new OriginThumbnailRepository(dataSource), contents), config.media().maxUploadSize(),
                config.media().enableAuthenticatedMedia(), clock);
        this.previews = new UrlPreviews(new UrlPreviews.Parts(store, repository, previewRows, contents), config.media(),
                serverName, clock);
    }

    /** Other servers' media is downloaded with {@code client} from now on; before, only cached media is served. */
    public void downloadRemoteWith(RemoteMediaClient client) {
        remote.downloadWith(client);
        originThumbnails.fetchWith(client);
    }

    /**
     * Starts what runs on its own: URL previews fetch with {@code vertx}'s HTTP client, and
     * retention runs every hour.
     */
    public void start(Vertx vertx) {
        previews.fetchWith(vertx, AddressResolver.SYSTEM);
        retention.start();
    }

    /** The routes of the {@code media} resource. */
    public List<Routes> routes(Authenticator auth) {
        return List.of(new UploadRoutes(uploads, auth), new DownloadRoutes(downloads, auth),
                new ThumbnailRoutes(downloads, thumbnails, originThumbnails, auth), new MediaConfigRoutes(config.maxUploadSize(), auth),
                new UrlPreviewRoutes(previews, auth, clock));
    }

    /** Stops what {@link #start} started: before Vert.x closes, whose HTTP client previews use. */
    public void stop() {
        retention.close();
        previews.close();
    }

    /** Stops making thumbnails (and what {@link #stop} stops, if it still runs). */
    @Override
    public void close() throws InterruptedException {
        stop();
        thumbnails.close();
    }

    /** The media repository's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        Map<String, Cache<?, ?>> caches = new HashMap<>(thumbnails.caches());
        caches.putAll(previews.caches());
        return caches;
    }
}
