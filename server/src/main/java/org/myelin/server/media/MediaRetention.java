package org.myelin.server.media;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.MxcUri;
import org.myelin.storage.media.ContentCollector;
import org.myelin.storage.media.MediaRepository;
import org.myelin.storage.media.RemoteMediaRepository;
import org.myelin.storage.media.Sha256;
import org.myelin.storage.media.UrlPreviewRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the content repository deletes as time passes, every hour: other servers' media not
 * served for {@code media.media_retention.remote_media_lifetime_ms} (with its thumbnails; asked
 * for again, it is fetched again; quarantined media is kept, so that the quarantine holds), URL
 * previews past their hour, and the images of previews two days after they were fetched (as
 * Synapse: clients may show a preview a while after asking). A file goes once no media row names
 * its content ({@link ContentCollector}).
 */
public final class MediaRetention implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MediaRetention.class);
    private static final long PERIOD_MS = 3_600_000L;
    /** How long images of URL previews are kept (Synapse's). */
    static final long PREVIEW_IMAGE_LIFETIME_MS = 2 * 86_400_000L;
    private static final int BATCH = 500;

    /** What one run deleted. */
    public record Report(int remoteMedia, int previews, int previewImages) {}

    /** The tables and store retention deletes from. */
    public record Parts(RemoteMediaRepository remote, MediaRepository local, UrlPreviewRepository previews,
                        ContentCollector contents) {}

    private final Parts parts;
    private final Long remoteLifetimeMs;
    private final Clock clock;
    private ScheduledExecutorService schedule;

    /** @param remoteLifetimeMs how long remote media is kept unused; null: for ever */
    public MediaRetention(Parts parts, Long remoteLifetimeMs, Clock clock) {
        this.parts = parts;
        this.remoteLifetimeMs = remoteLifetimeMs;
        this.clock = clock;
    }

    /** Runs every hour from now on, the first time in a minute. */
    public synchronized void start() {
        if (schedule != null) {
            return;
        }
        schedule = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("media-retention").factory());
        schedule.scheduleAtFixedRate(() -> {
            try {
                run(clock.millis());
            } catch (RuntimeException e) {
                LOG.warn("Media retention failed; trying again in an hour", e);
            }
        }, 60_000, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Deletes what is due at {@code nowMs}; how much. */
    public Report run(long nowMs) {
        int remote = remoteLifetimeMs == null ? 0 : deleteRemote(nowMs - remoteLifetimeMs);
        int previews = parts.previews().deleteExpired(nowMs);
        int images = deletePreviewImages(nowMs - PREVIEW_IMAGE_LIFETIME_MS);
        if (remote + previews + images > 0) {
            LOG.info("Media retention deleted {} remote media, {} URL previews and {} of their images",
                    remote, previews, images);
        }
        return new Report(remote, previews, images);
    }

    private int deleteRemote(long unusedSince) {
        int deleted = 0;
        List<MxcUri> batch;
        do {
            batch = parts.remote().unusedSince(unusedSince, BATCH);
            for (MxcUri media : batch) {
                Optional<List<Sha256>> contents = parts.remote().deleteUnused(media, unusedSince);
                if (contents.isPresent()) {
                    contents.get().forEach(parts.contents()::deleteIfUnreferenced);
                    deleted++;
                }
            }
        } while (batch.size() == BATCH);
        return deleted;
    }

    private int deletePreviewImages(long fetchedBefore) {
        int deleted = 0;
        List<MediaId> batch;
        do {
            batch = parts.local().previewImagesBefore(fetchedBefore, BATCH);
            for (MediaId image : batch) {
                Optional<List<Sha256>> contents = parts.local().delete(image);
                if (contents.isPresent()) {
                    contents.get().forEach(parts.contents()::deleteIfUnreferenced);
                    deleted++;
                }
            }
        } while (batch.size() == BATCH);
        return deleted;
    }

    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.shutdownNow();
        }
    }
}
