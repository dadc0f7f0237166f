package org.myelin.server.media;

import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Clock;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.MxcUri;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.id.UserId;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.media.ContentCollector;
import org.myelin.storage.media.ContentTooLargeException;
import org.myelin.storage.media.LocalMedia;
import org.myelin.storage.media.MediaRepository;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.StoredContent;

/**
 * Uploads to this server's content repository (client-server API, "Content repository"): content
 * given in one request, or a media id made first ({@code /create}) and its content given later, by
 * its creator only, once, before it expires (Synapse's rules and errors). With
 * {@code media.max_user_storage_bytes}, what a user keeps uploaded is bounded: an upload past it
 * is refused with 403 {@code M_USER_LIMIT_EXCEEDED} (the spec's code for a storage quota), before
 * its body is read when its length is declared, and else once it is read (and not kept).
 */
public final class MediaUploads {

    /** A media id made by {@code /create}: its URI, and when it expires without content. */
    public record Created(MxcUri contentUri, long unusedExpiresAt) {}

    /** What an upload says of its content: its {@code Content-Type} and {@code filename}. */
    public record Described(String contentType, String uploadName) {}

    private final ServerName serverName;
    private final MediaStore store;
    private final MediaRepository repository;
    private final HomeserverConfig.Media config;
    private final Thumbnails thumbnails;
    private final ContentCollector contents;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** Where uploads go: the store, the rows that name its contents, and who deletes unnamed ones. */
    public record Storage(MediaStore store, MediaRepository repository, ContentCollector contents) {}

    public MediaUploads(ServerName serverName, Storage storage, HomeserverConfig.Media config, Thumbnails thumbnails,
                        Clock clock) {
        this.serverName = serverName;
        this.store = storage.store();
        this.repository = storage.repository();
        this.contents = storage.contents();
        this.config = config;
        this.thumbnails = thumbnails;
        this.clock = clock;
    }

    /** The largest upload, in bytes ({@code m.upload.size}). */
    public long maxUploadSize() {
        return config.maxUploadSize();
    }

    /**
     * Before a byte of it is read: 413 {@code M_TOO_LARGE} if a body declared
     * {@code declaredLength} bytes long (-1: not declared) cannot fit, 403
     * {@code M_USER_LIMIT_EXCEEDED} if it would take {@code uploader} past their quota.
     */
    public void checkDeclaredLength(UserId uploader, long declaredLength) {
        if (declaredLength > config.maxUploadSize()) {
            throw tooLarge();
        }
        Long quota = config.maxUserStorageBytes();
        if (quota != null && repository.usedBytes(uploader) + Math.max(0, declaredLength) > quota) {
            throw overQuota();
        }
    }

    /**
     * Stores {@code content} under a new media id of {@code uploader}'s; its thumbnails are made
     * after, without waiting for them.
     */
    public MxcUri upload(UserId uploader, Described described, InputStream content) throws IOException {
        StoredContent stored = store(content);
        MediaId mediaId = MediaId.random(random);
        MediaRepository.Recorded recorded = repository.insertUploaded(mediaId, uploader,
                config.enableAuthenticatedMedia(),
                new LocalMedia.Upload(described.contentType(), described.uploadName(), stored, clock.millis()),
                quota());
        if (recorded == MediaRepository.Recorded.OVER_QUOTA) {
            contents.deleteIfUnreferenced(stored.sha256());
            throw overQuota();
        }
        confirmStored(mediaId, stored);
        MxcUri uri = new MxcUri(serverName, mediaId);
        thumbnails.pregenerate(uri, described.contentType(), stored);
        return uri;
    }

    /**
     * A media id for {@code uploader} to upload to later; 429 {@code M_LIMIT_EXCEEDED} when they
     * have {@code max_pending_media_uploads} waiting already, retrying once the first expires.
     */
    public Created create(UserId uploader) {
        long now = clock.millis();
        MediaId mediaId = MediaId.random(random);
        MediaRepository.Creation creation = repository.createPending(mediaId, uploader, now,
                now - config.unusedExpirationTimeMs(), config.maxPendingMediaUploads(),
                config.enableAuthenticatedMedia());
        if (creation instanceof MediaRepository.Creation.LimitReached limit) {
            throw MatrixException.limitExceeded(Math.max(0, limit.firstCreatedTs() + config.unusedExpirationTimeMs() - now));
        }
        return new Created(new MxcUri(serverName, mediaId), now + config.unusedExpirationTimeMs());
    }

    /**
     * Checks, before a byte of the content is read, that {@code uploader} may give
     * {@code server}/{@code mediaId} its content: 404 unless it is a pending id of this server that
     * has not expired, 403 unless {@code uploader} made it, 409 {@code M_CANNOT_OVERWRITE_MEDIA}
     * if it has content already.
     */
    public MediaId checkCanUploadTo(UserId uploader, String server, String mediaId) {
        if (!serverName.toString().equals(server)) {
            throw MatrixException.notFound("Non-local server name specified");
        }
        if (!MediaId.isValid(mediaId)) {
            throw MatrixException.notFound("Unknown media ID");
        }
        MediaId id = MediaId.parse(mediaId);
        LocalMedia media = repository.find(id).orElseThrow(() -> MatrixException.notFound("Unknown media ID"));
        if (!media.uploader().equals(uploader)) {
            throw MatrixException.forbidden("Only the creator of the media ID can upload to it");
        }
        if (media.uploaded()) {
            throw cannotOverwrite();
        }
        if (media.createdTs() < clock.millis() - config.unusedExpirationTimeMs()) {
            throw MatrixException.notFound("Media ID has expired");
        }
        return id;
    }

    /**
     * Stores {@code content} as the content of {@code mediaId}, checked with
     * {@link #checkCanUploadTo}; 409 if another upload to it finished first. Its thumbnails are
     * made after, without waiting for them.
     */
    public void uploadTo(UserId uploader, MediaId mediaId, Described described, InputStream content)
            throws IOException {
        StoredContent stored = store(content);
        MediaRepository.Recorded recorded = repository.fillPending(mediaId, uploader,
                new LocalMedia.Upload(described.contentType(), described.uploadName(), stored, clock.millis()),
                quota());
        switch (recorded) {
            case OVER_QUOTA -> {
                contents.deleteIfUnreferenced(stored.sha256());
                throw overQuota();
            }
            case NOT_PENDING -> throw cannotOverwrite();
            case RECORDED -> confirmStored(mediaId, stored);
        }
        thumbnails.pregenerate(new MxcUri(serverName, mediaId), described.contentType(), stored);
    }

    /**
     * Checks that the content a new row names is still stored: deleting media whose content was
     * the same (an admin, retention) could have removed it between its storing and the row. Then
     * the upload fails as a whole, and the client may send it again.
     */
    private void confirmStored(MediaId mediaId, StoredContent stored) {
        if (!contents.stillStored(stored.sha256())) {
            repository.delete(mediaId);
            throw MatrixException.of(ErrCode.M_UNKNOWN, "The upload was deleted as it arrived: send it again")
                    .withStatus(503);
        }
    }

    private long quota() {
        return config.maxUserStorageBytes() == null ? Long.MAX_VALUE : config.maxUserStorageBytes();
    }

    private MatrixException overQuota() {
        return MatrixException.userLimitExceeded("Cannot upload: you would keep more than "
                + config.maxUserStorageBytes() + " bytes of uploads", config.userStorageInfoUri());
    }

    private StoredContent store(InputStream content) throws IOException {
        try {
            return store.put(content, config.maxUploadSize());
        } catch (ContentTooLargeException e) {
            throw tooLarge();
        }
    }

    private MatrixException tooLarge() {
        return MatrixException.tooLarge("Cannot upload files larger than " + config.maxUploadSize() + " bytes");
    }

    private static MatrixException cannotOverwrite() {
        return MatrixException.of(ErrCode.M_CANNOT_OVERWRITE_MEDIA, "Media ID already has content");
    }
}
