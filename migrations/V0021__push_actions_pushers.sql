-- Notifications and push (client-server API, "Push Notifications"; push gateway API).

-- What each local user's push rules said of each event that notifies them (Synapse's
-- event_push_actions): GET /notifications lists them, HTTP pushers send them. Written after the
-- event commits, off the event's path, by one recorder that keeps its place below; an event
-- recorded twice (after a crash between the two) keeps its first row.
CREATE TABLE event_push_actions (
    user_id         TEXT NOT NULL,
    room_id         TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    -- The event's timeline position: pages, pushers and unread counts go by it.
    stream_ordering BIGINT NOT NULL,
    -- The actions of the rule that matched, as a JSON array (always with "notify").
    actions         TEXT NOT NULL,
    highlight       BOOLEAN NOT NULL,
    -- When the server received the event (ms): the notification's ts.
    received_ts     BIGINT NOT NULL,
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX event_push_actions_user_stream ON event_push_actions (user_id, stream_ordering);
CREATE INDEX event_push_actions_user_room ON event_push_actions (user_id, room_id, stream_ordering);
CREATE INDEX event_push_actions_highlights ON event_push_actions (user_id, stream_ordering) WHERE highlight;

-- The timeline position up to which every event's push actions are recorded: the recorder
-- starts after it (catching up on what committed while it was down) and moves it in the same
-- transaction as the rows it writes. Starts at the newest event, so that upgrading does not
-- notify anyone of the past.
CREATE TABLE event_push_actions_position (
    single          BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (single),
    processed_up_to BIGINT NOT NULL
);
INSERT INTO event_push_actions_position (processed_up_to)
    SELECT COALESCE(MAX(stream_ordering), 0) FROM events;

-- Pushers (POST /pushers/set): one per user, app id and pushkey.
CREATE TABLE pushers (
    id                   BIGSERIAL PRIMARY KEY,
    user_id              TEXT NOT NULL,
    -- The device whose access token created it: it goes when that device is deleted (logout,
    -- password change), as Synapse's remove_pushers_by_devices.
    device_id            TEXT,
    kind                 TEXT NOT NULL,
    app_id               TEXT NOT NULL,
    app_display_name     TEXT NOT NULL,
    device_display_name  TEXT NOT NULL,
    pushkey              TEXT NOT NULL,
    -- When the pushkey was last set (ms); sent as pushkey_ts in seconds.
    pushkey_ts           BIGINT NOT NULL,
    lang                 TEXT,
    -- The data object as the client gave it (JSON), url included.
    data                 TEXT NOT NULL,
    profile_tag          TEXT NOT NULL DEFAULT '',
    -- The timeline position of the last push action handled: after a restart the pusher sends
    -- what comes after it, so nothing unacknowledged is lost.
    last_stream_ordering BIGINT NOT NULL,
    last_success_ts      BIGINT,
    -- Since when the gateway has been failing (ms), or NULL.
    failing_since_ts     BIGINT,
    UNIQUE (app_id, pushkey, user_id)
);
CREATE INDEX pushers_user ON pushers (user_id);
