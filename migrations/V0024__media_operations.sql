-- Operating the content repository: URL previews, the admin API's listing, quarantine and
-- deletion, per-user storage quotas, retention of other servers' media, and thumbnails of other
-- servers' media fetched from their origin.

-- url_cache: the URL whose preview fetched this media (a page that is an image, or its og:image);
-- NULL for uploads. Such media belongs to the user who asked for the preview (as in Synapse),
-- is listed with their media, counts toward no quota, and is deleted two days after it was fetched.
ALTER TABLE local_media ADD COLUMN url_cache TEXT;

-- A user's media, newest first (the admin API's listing) and summed (the storage quota).
CREATE INDEX local_media_uploader ON local_media (uploader, created_ts);
CREATE INDEX local_media_url_cache ON local_media (created_ts) WHERE url_cache IS NOT NULL;

-- A row of remote_media may now be known without its content (sha256 and size_bytes NULL): a
-- thumbnail of it was fetched from its origin while the media itself was not, or an admin
-- quarantined it before anyone fetched it (so that no later fetch serves it). Its first download
-- fills the content in (unless it is quarantined).
ALTER TABLE remote_media ALTER COLUMN sha256 DROP NOT NULL;
ALTER TABLE remote_media ALTER COLUMN size_bytes DROP NOT NULL;
ALTER TABLE remote_media ADD CHECK ((sha256 IS NULL) = (size_bytes IS NULL));

-- Retention (media.media_retention.remote_media_lifetime_ms) finds what was not served for long.
CREATE INDEX remote_media_last_access ON remote_media (last_access_ts);

-- Thumbnails of other servers' media as their origin made them
-- (GET /_matrix/federation/v1/media/thumbnail/{mediaId}): fetched for a client's request while
-- the media itself is not cached here, and kept under that request (width, height, method and
-- animated as asked), since the size the origin chose is known only by asking it. Thumbnails this
-- server makes of cached remote media stay in remote_media_thumbnails, under the size made.
CREATE TABLE remote_media_origin_thumbnails (
    origin        TEXT NOT NULL,
    media_id      TEXT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    method        TEXT NOT NULL,
    animated      BOOLEAN NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    fetched_ts    BIGINT NOT NULL,
    PRIMARY KEY (origin, media_id, width, height, method, animated),
    FOREIGN KEY (origin, media_id) REFERENCES remote_media (origin, media_id) ON DELETE CASCADE
);

CREATE INDEX remote_media_origin_thumbnails_sha256 ON remote_media_origin_thumbnails (sha256);

-- URL previews (GET /_matrix/client/v1/media/preview_url): the Open Graph answer for a URL as
-- fetched at fetched_ts, valid until expires_ts (an hour later, as Synapse). Several per URL: a
-- request's ts picks the one of its time. Rows past expires_ts are deleted periodically. Keyed by
-- the URL's SHA-256 (hex): a URL may be longer than an index entry may be.
CREATE TABLE url_previews (
    url_sha256  TEXT NOT NULL,
    url         TEXT NOT NULL,
    fetched_ts  BIGINT NOT NULL,
    expires_ts  BIGINT NOT NULL,
    -- The answer's JSON object, as sent.
    og          TEXT NOT NULL,
    PRIMARY KEY (url_sha256, fetched_ts)
);

CREATE INDEX url_previews_expires ON url_previews (expires_ts);
