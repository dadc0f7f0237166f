-- The streams a /sync token covers besides the timeline (whose positions are
-- events.stream_ordering): receipts, account data, to-device messages, device list changes and
-- presence. See DESIGN.md, "Sync and streams".

-- The last position handed out per stream. A writer takes the next position by updating its row
-- inside the transaction that writes the change; the row lock it holds until commit makes
-- positions become visible in order, so a reader that sees position N has seen every one below.
CREATE TABLE stream_positions (
    stream   TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
INSERT INTO stream_positions (stream, position) VALUES
    ('receipts', 0), ('account_data', 0), ('to_device', 0), ('device_lists', 0), ('presence', 0);

-- The latest receipt per room, type, user and thread ('' for an unthreaded receipt).
CREATE TABLE receipts (
    room_id               TEXT NOT NULL,
    receipt_type          TEXT NOT NULL,
    user_id               TEXT NOT NULL,
    thread_id             TEXT NOT NULL,
    event_id              TEXT NOT NULL,
    -- The timeline position of the receipted event (NULL if we do not have it, e.g. a remote
    -- receipt for an event not fetched yet): receipts only move forward, and unread counts start there.
    event_stream_ordering BIGINT,
    ts                    BIGINT NOT NULL,
    stream_position       BIGINT NOT NULL,
    PRIMARY KEY (room_id, receipt_type, user_id, thread_id)
);
CREATE INDEX receipts_room_position ON receipts (room_id, stream_position);

-- Account data: global (room_id '') and per room; m.tag and m.fully_read live here too.
CREATE TABLE account_data (
    user_id         TEXT NOT NULL,
    room_id         TEXT NOT NULL,
    type            TEXT NOT NULL,
    content         JSONB NOT NULL,
    stream_position BIGINT NOT NULL,
    PRIMARY KEY (user_id, room_id, type)
);
CREATE INDEX account_data_user_position ON account_data (user_id, stream_position);

-- Filters uploaded with POST /user/{userId}/filter. The same filter uploaded twice keeps one id.
CREATE TABLE sync_filters (
    filter_id   BIGSERIAL PRIMARY KEY,
    user_id     TEXT NOT NULL,
    filter_hash TEXT NOT NULL,
    filter      TEXT NOT NULL,
    UNIQUE (user_id, filter_hash)
);

-- To-device messages waiting for a device; deleted once the device acknowledges them by
-- syncing with a token past them. Filled by the end-to-end encryption endpoints.
CREATE TABLE to_device_messages (
    stream_position BIGINT PRIMARY KEY,
    user_id         TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    sender          TEXT NOT NULL,
    type            TEXT NOT NULL,
    content         JSONB NOT NULL
);
CREATE INDEX to_device_messages_inbox ON to_device_messages (user_id, device_id, stream_position);

-- Users whose device list (devices, keys) changed, by position. Filled by the end-to-end
-- encryption endpoints; /sync reports them under device_lists.changed.
CREATE TABLE device_list_changes (
    stream_position BIGINT NOT NULL,
    user_id         TEXT NOT NULL,
    PRIMARY KEY (stream_position, user_id)
);

-- A user's own membership events in timeline order: which rooms /sync reports and in which section.
CREATE INDEX events_member_by_user ON events (state_key, stream_ordering) WHERE type = 'm.room.member';
