-- Reports of abuse (client-server API, "Reporting content"), kept for the server's
-- administrators: an event, a room or a user, who reported it, why and when. Kept however the
-- reported thing changes (no foreign keys): a report is a record of what someone said.
CREATE TABLE event_reports (
    id           BIGSERIAL PRIMARY KEY,
    received_ts  BIGINT NOT NULL,
    reporter     TEXT NOT NULL,
    room_id      TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    reason       TEXT,
    -- From -100 (most offensive) to 0, as clients sent it before the spec dropped it (v1.18).
    score        INTEGER
);
CREATE INDEX event_reports_received ON event_reports (received_ts);

CREATE TABLE room_reports (
    id           BIGSERIAL PRIMARY KEY,
    received_ts  BIGINT NOT NULL,
    reporter     TEXT NOT NULL,
    room_id      TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE INDEX room_reports_received ON room_reports (received_ts);

CREATE TABLE user_reports (
    id              BIGSERIAL PRIMARY KEY,
    received_ts     BIGINT NOT NULL,
    reporter        TEXT NOT NULL,
    target_user_id  TEXT NOT NULL,
    reason          TEXT NOT NULL
);
CREATE INDEX user_reports_received ON user_reports (received_ts);

-- OpenID tokens (client-server API, "OpenID"): a user hands one to a third party, which asks
-- GET /_matrix/federation/v1/openid/userinfo whom it names. Kept by their SHA-256, as access
-- tokens are; valid until expires_ts.
CREATE TABLE openid_tokens (
    token_hash  BYTEA PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    expires_ts  BIGINT NOT NULL
);
CREATE INDEX openid_tokens_expiry ON openid_tokens (expires_ts);

-- Login tokens (client-server API, "Login tokens", POST /login/get_token): a logged-in client
-- gets one, another client logs in with it once (m.login.token) before expires_ts. Kept by their
-- SHA-256; a login deletes the row it uses, so a token serves one login.
CREATE TABLE login_tokens (
    token_hash  BYTEA PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    expires_ts  BIGINT NOT NULL
);
CREATE INDEX login_tokens_expiry ON login_tokens (expires_ts);
