-- The admin API (Synapse's /_synapse/admin, and the client-server API's admin endpoints): what an
-- admin may set on a user or a room beyond what clients themselves set.

-- user_type: Synapse's user type (NULL for a normal user, 'bot', 'support'). locked: every access
-- token of the user is refused with 401 M_USER_LOCKED until unlocked (the spec's account locking).
-- suspended: the user may read but not send, join or invite (403 M_USER_SUSPENDED; the spec's
-- account suspension). shadow_banned: the user's sends are answered as if they succeeded but
-- nothing is persisted. erased: deactivated with erase, as Synapse's erased_users.
ALTER TABLE users
    ADD COLUMN user_type     TEXT,
    ADD COLUMN locked        BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN suspended     BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN shadow_banned BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN erased        BOOLEAN NOT NULL DEFAULT FALSE;

-- Per-user overrides of the message rate limit (POST /_synapse/admin/v1/users/{userId}/override_ratelimit).
-- messages_per_second 0: the user is not limited at all.
CREATE TABLE ratelimit_overrides (
    user_id             TEXT PRIMARY KEY,
    messages_per_second INTEGER NOT NULL CHECK (messages_per_second >= 0),
    burst_count         INTEGER NOT NULL CHECK (burst_count >= 0)
);

-- Rooms nobody of this server may join or be invited to (PUT /_synapse/admin/v1/rooms/{roomId}/block,
-- DELETE /_synapse/admin/v2/rooms/{roomId} with block). A room may be blocked before it is known, and
-- the block outlives a purge of the room: no REFERENCES rooms.
CREATE TABLE blocked_rooms (
    room_id    TEXT PRIMARY KEY,
    -- The admin who blocked it.
    user_id    TEXT NOT NULL
);

-- Each user's server notices room (POST /_synapse/admin/v1/send_server_notice): the room the system
-- user made for them, reused for every later notice while the user is still invited or joined.
CREATE TABLE server_notices_rooms (
    user_id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL
);
CREATE INDEX server_notices_rooms_room ON server_notices_rooms (room_id);

-- Access tokens an admin obtained to act as a user (POST /_synapse/admin/v1/users/{userId}/login):
-- they belong to no device (the user's device list does not show them), end with the user's
-- account and may expire. /logout with one revokes it alone.
CREATE TABLE admin_login_tokens (
    id             BIGSERIAL PRIMARY KEY,
    token_hash     BYTEA NOT NULL UNIQUE,
    user_id        TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    admin_user_id  TEXT NOT NULL,
    created_ts     BIGINT NOT NULL,
    -- NULL: never expires.
    expires_ts     BIGINT
);
CREATE INDEX admin_login_tokens_user ON admin_login_tokens (user_id);
