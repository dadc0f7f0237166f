-- Accounts, devices and the tokens that authenticate them (client-server API, "Client
-- Authentication", "Device management"). Tokens are never stored: only the SHA-256 of each
-- token is, so a leaked database does not leak sessions.

CREATE TABLE users (
    user_id        TEXT PRIMARY KEY,
    -- PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash); NULL for guests, and for
    -- deactivated accounts, whose password is wiped.
    password_hash  TEXT,
    is_admin       BOOLEAN NOT NULL DEFAULT FALSE,
    is_guest       BOOLEAN NOT NULL DEFAULT FALSE,
    deactivated    BOOLEAN NOT NULL DEFAULT FALSE,
    created_ts     BIGINT NOT NULL
);

CREATE TABLE devices (
    user_id       TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    device_id     TEXT NOT NULL,
    display_name  TEXT,
    -- Updated at most once a minute per token, not on every request.
    last_seen_ts  BIGINT,
    last_seen_ip  TEXT,
    PRIMARY KEY (user_id, device_id)
);

-- A refresh token is bound to a device. Refreshing it issues a new refresh token and
-- records it as next_token_id; the old one stays usable (a client that lost the response
-- may retry) until the new access or refresh token is used, then it is deleted.
CREATE TABLE refresh_tokens (
    id             BIGSERIAL PRIMARY KEY,
    token_hash     BYTEA NOT NULL UNIQUE,
    user_id        TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    created_ts     BIGINT NOT NULL,
    next_token_id  BIGINT REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_next ON refresh_tokens (next_token_id) WHERE next_token_id IS NOT NULL;

-- Deleting a device deletes its tokens (the cascade is the revocation).
CREATE TABLE access_tokens (
    id                BIGSERIAL PRIMARY KEY,
    token_hash        BYTEA NOT NULL UNIQUE,
    user_id           TEXT NOT NULL,
    device_id         TEXT NOT NULL,
    created_ts        BIGINT NOT NULL,
    -- NULL: never expires.
    expires_ts        BIGINT,
    -- The refresh token issued with this access token, if the client asked for one.
    refresh_token_id  BIGINT REFERENCES refresh_tokens (id) ON DELETE CASCADE,
    -- Whether the token has authenticated a request yet (first use retires the refresh
    -- token it was refreshed from).
    used              BOOLEAN NOT NULL DEFAULT FALSE,
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX access_tokens_user ON access_tokens (user_id, device_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id, device_id);

-- Tokens for m.login.registration_token, created by admins (Synapse's admin API shape).
CREATE TABLE registration_tokens (
    token          TEXT PRIMARY KEY,
    -- NULL: unlimited.
    uses_allowed   INTEGER,
    -- Registrations that completed the token stage but not yet the registration.
    pending        INTEGER NOT NULL DEFAULT 0,
    completed      INTEGER NOT NULL DEFAULT 0,
    -- Milliseconds since the epoch; NULL: never expires.
    expiry_time    BIGINT
);
