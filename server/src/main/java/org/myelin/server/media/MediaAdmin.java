package org.myelin.server.media;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.MxcUri;
import org.myelin.protocol.id.RoomId;
import org.myelin.protocol.id.UserId;
import org.myelin.storage.media.ContentCollector;
import org.myelin.storage.media.MediaQuarantine;
import org.myelin.storage.media.MediaRepository;
import org.myelin.storage.media.Sha256;
import org.myelin.storage.media.UserMediaRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a server admin does to media (Synapse's admin API, "Querying media", "Quarantine media",
 * "Delete local media"): quarantine media by id or every media a room's events name, lift a
 * quarantine, delete this server's media (its file goes once no other media names the same
 * content), list a user's media.
 */
public final class MediaAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(MediaAdmin.class);

    private final MediaRepository media;
    private final MediaQuarantine quarantine;
    private final UserMediaRepository userMedia;
    private final ContentCollector contents;
    private final Clock clock;

    public MediaAdmin(MediaRepository media, MediaQuarantine quarantine, UserMediaRepository userMedia,
                      ContentCollector contents, Clock clock) {
        this.media = media;
        this.quarantine = quarantine;
        this.userMedia = userMedia;
        this.contents = contents;
        this.clock = clock;
    }

    /** Quarantines {@code media} (this server's or another's) in {@code admin}'s name. */
    public void quarantine(MxcUri mxc, UserId admin) {
        LOG.info("{} quarantines {}", admin, mxc);
        quarantine.quarantine(List.of(mxc), admin.toString(), clock.millis());
    }

    /** Lifts the quarantine of {@code media}. */
    public void unquarantine(MxcUri mxc, UserId admin) {
        LOG.info("{} lifts the quarantine of {}", admin, mxc);
        quarantine.quarantine(List.of(mxc), null, clock.millis());
    }

    /** Quarantines every media the events of {@code roomId} name; how many. */
    public int quarantineRoom(RoomId roomId, UserId admin) {
        Collection<MxcUri> named = quarantine.mediaInRoom(roomId);
        int quarantined = quarantine.quarantine(named, admin.toString(), clock.millis());
        LOG.info("{} quarantines the media of {}: {} of {} named", admin, roomId, quarantined, named.size());
        return quarantined;
    }

    /** Deletes this server's {@code mediaId}, its thumbnails and the files no other media names; false if unknown. */
    public boolean delete(MediaId mediaId) {
        return media.delete(mediaId).map(named -> {
            named.forEach(this::collect);
            LOG.info("Deleted local media {}", mediaId);
            return true;
        }).orElse(false);
    }

    /** A page of {@code user}'s media ({@code GET /_synapse/admin/v1/users/{userId}/media}). */
    public UserMediaRepository.Page page(UserId user, long from, int limit, UserMediaRepository.Order order,
                                         boolean forwards) {
        return userMedia.page(user, from, limit, order, forwards);
    }

    private void collect(Sha256 content) {
        try {
            contents.deleteIfUnreferenced(content);
        } catch (RuntimeException e) {
            // The rows are gone: the file is only left over, not served.
            LOG.warn("Cannot delete content {} of deleted media: {}", content.hex(), e.toString());
        }
    }
}
