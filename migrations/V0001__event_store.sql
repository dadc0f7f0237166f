-- The event store: every event once, as the exact bytes it arrived with, plus the
-- indexed columns the pipeline and the client API query by. See DESIGN.md, storage.

CREATE TABLE rooms (
    room_id        TEXT PRIMARY KEY,
    room_version   TEXT NOT NULL,
    created_ts     BIGINT NOT NULL
);

CREATE TABLE events (
    -- Compact numeric id used by edges and state snapshots instead of the long event id.
    event_nid        BIGSERIAL PRIMARY KEY,
    event_id         TEXT NOT NULL UNIQUE,
    room_id          TEXT NOT NULL,
    -- Kept per event so that an event of a room we never joined (an invite, an outlier)
    -- can still be parsed.
    room_version     TEXT NOT NULL,
    type             TEXT NOT NULL,
    state_key        TEXT,
    sender           TEXT NOT NULL,
    depth            BIGINT NOT NULL,
    origin_server_ts BIGINT NOT NULL,
    -- Position in the timeline: positive and increasing for live events, negative and
    -- decreasing for backfilled history, NULL for outliers, which have no place in it.
    stream_ordering  BIGINT UNIQUE,
    outlier          BOOLEAN NOT NULL DEFAULT FALSE,
    soft_failed      BOOLEAN NOT NULL DEFAULT FALSE,
    rejected_reason  TEXT,
    -- The target of an m.room.redaction, wherever its room version keeps it.
    redacts          TEXT,
    -- Canonical JSON as received (or as built and signed): hashes, signatures and
    -- re-sending use these bytes, never a re-serialised model.
    json             BYTEA NOT NULL
);
CREATE INDEX events_room_stream ON events (room_id, stream_ordering);
CREATE INDEX events_redacts ON events (redacts) WHERE redacts IS NOT NULL;
CREATE INDEX events_room_state ON events (room_id, type, state_key) WHERE state_key IS NOT NULL;

-- The DAG: prev_events and auth_events edges, by event id so that an edge may point
-- at an event we have not fetched yet.
CREATE TABLE event_prev_edges (
    event_nid     BIGINT NOT NULL REFERENCES events (event_nid),
    prev_event_id TEXT NOT NULL,
    PRIMARY KEY (event_nid, prev_event_id)
);
CREATE INDEX event_prev_edges_prev ON event_prev_edges (prev_event_id);

CREATE TABLE event_auth_edges (
    event_nid     BIGINT NOT NULL REFERENCES events (event_nid),
    auth_event_id TEXT NOT NULL,
    PRIMARY KEY (event_nid, auth_event_id)
);

-- Room state as snapshots that share structure: a snapshot is its parent plus a
-- delta, with a full copy every N levels, so a state change costs O(delta), not
-- O(room size).
CREATE TABLE state_snapshots (
    snapshot_id  BIGSERIAL PRIMARY KEY,
    room_id      TEXT NOT NULL,
    parent_id    BIGINT REFERENCES state_snapshots (snapshot_id),
    -- Distance to the nearest full copy; 0 for a full copy.
    delta_level  INT NOT NULL
);

CREATE TABLE state_snapshot_entries (
    snapshot_id BIGINT NOT NULL REFERENCES state_snapshots (snapshot_id),
    type        TEXT NOT NULL,
    state_key   TEXT NOT NULL,
    -- NULL removes an entry inherited from the parent.
    event_id    TEXT,
    PRIMARY KEY (snapshot_id, type, state_key)
);

-- The state before and after each event that has a place in the room's graph.
CREATE TABLE event_state (
    event_nid       BIGINT PRIMARY KEY REFERENCES events (event_nid),
    before_snapshot BIGINT NOT NULL REFERENCES state_snapshots (snapshot_id),
    after_snapshot  BIGINT NOT NULL REFERENCES state_snapshots (snapshot_id)
);

-- The events no other event of the room points at yet: the prev_events of the next one.
CREATE TABLE forward_extremities (
    room_id  TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (room_id, event_id)
);

-- The room's current resolved state, kept as a pointer to a snapshot.
CREATE TABLE room_current_state (
    room_id     TEXT PRIMARY KEY REFERENCES rooms (room_id),
    snapshot_id BIGINT NOT NULL REFERENCES state_snapshots (snapshot_id)
);

-- Each user's membership in each room per the room's current state: what /sync,
-- /joined_rooms and permission checks ask most often, kept in the same transaction as the
-- state it derives from.
CREATE TABLE room_memberships (
    room_id         TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    membership      TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    -- The timeline position of the change (NULL when it came from resolving a fork).
    stream_ordering BIGINT,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_memberships_user ON room_memberships (user_id, membership);
