-- Device lists across servers (server-server API, "Device Management", "End-to-End Encryption").

-- What other servers were last told of each local user's device list: the user's sequence of
-- m.device_list_update EDUs (stream_id is the last one sent, the prev_id of the next) and the
-- devices and cross-signing keys those EDUs described, against which the next change is compared.
-- GET /user/devices answers with stream_id, so a resync joins the sequence.
CREATE SEQUENCE device_list_outbound_stream;

CREATE TABLE device_list_outbound_users (
    user_id           TEXT PRIMARY KEY,
    stream_id         BIGINT NOT NULL,
    master_key        TEXT,
    self_signing_key  TEXT
);

CREATE TABLE device_list_outbound_devices (
    user_id       TEXT NOT NULL REFERENCES device_list_outbound_users (user_id) ON DELETE CASCADE,
    device_id     TEXT NOT NULL,
    keys_json     TEXT NOT NULL,
    display_name  TEXT,
    PRIMARY KEY (user_id, device_id)
);

-- The device lists of remote users we share a room with, kept up to date by their servers'
-- m.device_list_update and m.signing_key_update EDUs and by resyncs (GET /user/devices). A user
-- is cached from the first resync on; /keys/query answers from here for them. stream_id is the
-- last update applied; a prev_id not among the seen stream ids is a gap, which a resync closes.
CREATE TABLE remote_device_list_users (
    user_id           TEXT PRIMARY KEY,
    stream_id         BIGINT NOT NULL,
    master_key        TEXT,
    self_signing_key  TEXT,
    ts_synced_ms      BIGINT NOT NULL
);

CREATE TABLE remote_device_list_seen (
    user_id    TEXT NOT NULL REFERENCES remote_device_list_users (user_id) ON DELETE CASCADE,
    stream_id  BIGINT NOT NULL,
    PRIMARY KEY (user_id, stream_id)
);

CREATE TABLE remote_devices (
    user_id       TEXT NOT NULL REFERENCES remote_device_list_users (user_id) ON DELETE CASCADE,
    device_id     TEXT NOT NULL,
    keys_json     TEXT NOT NULL,
    display_name  TEXT,
    PRIMARY KEY (user_id, device_id)
);
