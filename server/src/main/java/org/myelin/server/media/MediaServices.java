package org.myelin.server.media;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.myelin.federation.media.RemoteMediaClient;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.StartupException;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.Routes;
import org.myelin.storage.media.LocalMediaStore;
import org.myelin.storage.media.MediaRepository;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.RemoteMediaRepository;
import org.myelin.storage.media.ThumbnailRepository;

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
    private final FederatedMedia remote;
    private final HomeserverConfig.Media config;

    public MediaServices(HomeserverConfig config, DataSource dataSource, Clock clock) {
        this.config = config.media();
        try {
            this.store = new LocalMediaStore(config.media().storeDir(config.dataDir()));
        } catch (IOException e) {
            throw new StartupException("media.store_path: cannot use "
                    + config.media().storeDir(config.dataDir()).toAbsolutePath() + ": " + e, e);
        }
        ServerName serverName = ServerName.parse(config.serverName());
        this.repository = new MediaRepository(dataSource);
        this.remote = new FederatedMedia(store, new RemoteMediaRepository(dataSource), config.media().maxUploadSize(),
                config.media().enableAuthenticatedMedia(), clock);
        this.thumbnailRows = new ThumbnailRepository(dataSource, serverName);
        this.thumbnails = new Thumbnails(store, thumbnailRows, config.media(), clock);
        this.uploads = new MediaUploads(serverName, store, repository, config.media(), thumbnails, clock);
        this.downloads = new MediaDownloads(serverName, store, repository, remote, config.media(), clock);
        this.forServers = new MediaForServers(serverName, downloads, thumbnails);
    }

    /** Other servers' media is downloaded with {@code client} from now on; before, only cached media is served. */
    public void downloadRemoteWith(RemoteMediaClient client) {
        remote.downloadWith(client);
    }

    /** The routes of the {@code media} resource. */
    public List<Routes> routes(Authenticator auth) {
        return List.of(new UploadRoutes(uploads, auth), new DownloadRoutes(downloads, auth),
                new ThumbnailRoutes(downloads, thumbnails, auth), new MediaConfigRoutes(config.maxUploadSize(), auth));
    }

    /** Stops making thumbnails. */
    @Override
    public void close() throws InterruptedException {
        thumbnails.close();
    }
}
