-- Profiles, push rules and presence of local users (client-server API: "Profiles",
-- "Push Notifications", "Presence").

-- A local user's global profile. Every registered local user has a row (registration
-- creates it), so no row means no such user.
CREATE TABLE profiles (
    user_id      TEXT PRIMARY KEY,
    displayname  TEXT,
    avatar_url   TEXT,
    -- Every other profile field (m.tz, custom namespaced keys), as the user gave it.
    extra_fields JSONB NOT NULL DEFAULT '{}'::jsonb
);

-- A user's own push rules. Within a kind, position 0 is the most important.
CREATE TABLE push_rules (
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    rule_id    TEXT NOT NULL,
    position   INT NOT NULL,
    enabled    BOOLEAN NOT NULL,
    -- The conditions of an override or underride rule (a JSON array), else NULL. JSON, not
    -- JSONB: rules are given back to clients as they were written, keys in their order.
    conditions JSON,
    -- The glob of a content rule, else NULL.
    pattern    TEXT,
    actions    JSON NOT NULL,
    PRIMARY KEY (user_id, kind, rule_id)
);

-- A user's changes to server-default rules; NULL keeps the rule's own value.
CREATE TABLE push_rule_default_changes (
    user_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    enabled BOOLEAN,
    actions JSON,
    PRIMARY KEY (user_id, kind, rule_id)
);

-- The push rules stream: the position of each user's latest change (for m.push_rules in /sync).
CREATE SEQUENCE push_rules_stream;
CREATE TABLE push_rules_changes (
    user_id   TEXT PRIMARY KEY,
    stream_id BIGINT NOT NULL
);
CREATE INDEX push_rules_changes_stream ON push_rules_changes (stream_id);

-- Presence: each user's latest explicit state, at its position on the presence stream.
-- Idle and offline timeouts are applied when it is read, not written here.
CREATE SEQUENCE presence_stream;
CREATE TABLE presence (
    user_id        TEXT PRIMARY KEY,
    state          TEXT NOT NULL,
    status_msg     TEXT,
    last_active_ts BIGINT NOT NULL,
    last_sync_ts   BIGINT NOT NULL,
    stream_id      BIGINT NOT NULL
);
CREATE INDEX presence_stream_id ON presence (stream_id);
