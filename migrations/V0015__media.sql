-- The content repository (client-server API, "Content repository"). Content itself lives in a
-- MediaStore (files under data_dir/media by default), named by the SHA-256 of its bytes: one
-- file however many media ids point at it. These tables say which media ids exist and what
-- each one's content is; a blob may be deleted only when no row of any of them names its hash.

-- Media uploaded to this server: mxc://<our server name>/<media_id>. A row made by
-- POST /_matrix/media/v1/create has no content yet (sha256 and size_bytes NULL) until its
-- creator uploads to it (PUT /_matrix/media/v3/upload/...), which fills them once.
-- authenticated: uploaded while enable_authenticated_media was on, so served only by the
-- authenticated /_matrix/client/v1/media endpoints, never by the deprecated /_matrix/media ones
-- (Synapse's cut-off marker). last_access_ts: when it was last downloaded, for retention.
CREATE TABLE local_media (
    media_id        TEXT PRIMARY KEY,
    uploader        TEXT NOT NULL,
    created_ts      BIGINT NOT NULL,
    content_type    TEXT,
    upload_name     TEXT,
    size_bytes      BIGINT,
    sha256          TEXT,
    uploaded_ts     BIGINT,
    authenticated   BOOLEAN NOT NULL,
    quarantined_by  TEXT,
    last_access_ts  BIGINT,
    CHECK ((sha256 IS NULL) = (size_bytes IS NULL)),
    CHECK ((sha256 IS NULL) = (uploaded_ts IS NULL))
);

-- A user's pending uploads (created, not uploaded), counted against max_pending_media_uploads.
CREATE INDEX local_media_pending ON local_media (uploader, created_ts) WHERE sha256 IS NULL;
CREATE INDEX local_media_sha256 ON local_media (sha256) WHERE sha256 IS NOT NULL;

-- Thumbnails of local media: one per size, method (crop or scale) and content type.
CREATE TABLE local_media_thumbnails (
    media_id      TEXT NOT NULL REFERENCES local_media (media_id) ON DELETE CASCADE,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    method        TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    created_ts    BIGINT NOT NULL,
    PRIMARY KEY (media_id, width, height, method, content_type)
);

CREATE INDEX local_media_thumbnails_sha256 ON local_media_thumbnails (sha256);

-- Media of other servers, fetched over federation and kept: mxc://<origin>/<media_id>.
-- authenticated: fetched while enable_authenticated_media was on (the spec: a cache populated
-- after the freeze is new media, whatever its age on its origin).
CREATE TABLE remote_media (
    origin          TEXT NOT NULL,
    media_id        TEXT NOT NULL,
    content_type    TEXT,
    upload_name     TEXT,
    size_bytes      BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    fetched_ts      BIGINT NOT NULL,
    authenticated   BOOLEAN NOT NULL,
    quarantined_by  TEXT,
    last_access_ts  BIGINT,
    PRIMARY KEY (origin, media_id)
);

CREATE INDEX remote_media_sha256 ON remote_media (sha256);

CREATE TABLE remote_media_thumbnails (
    origin        TEXT NOT NULL,
    media_id      TEXT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    method        TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    created_ts    BIGINT NOT NULL,
    PRIMARY KEY (origin, media_id, width, height, method, content_type),
    FOREIGN KEY (origin, media_id) REFERENCES remote_media (origin, media_id) ON DELETE CASCADE
);

CREATE INDEX remote_media_thumbnails_sha256 ON remote_media_thumbnails (sha256);
