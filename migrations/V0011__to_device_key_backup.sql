-- To-device messages (client-server API, "Send-to-Device messaging"; server-server API,
-- "Send-to-device messaging") and server-side key backups (client-server API, "Server-side key
-- backups"). The server never reads what these hold: it relays and stores the clients' JSON as
-- text, byte for byte as it was written (jsonb would refuse \u0000 and reorder keys).

-- A message waits for a device that exists, and goes when the device goes (logout, deletion,
-- deactivation): nothing else would ever deliver it.
DELETE FROM to_device_messages m
WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.user_id = m.user_id AND d.device_id = m.device_id);
ALTER TABLE to_device_messages ALTER COLUMN content TYPE TEXT USING content::text;
ALTER TABLE to_device_messages ADD CONSTRAINT to_device_messages_device
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE;

-- PUT /sendToDevice/{eventType}/{txnId}: a retried request with the same transaction id, from the
-- same device, sends nothing again. Recorded in the transaction that queues the messages.
CREATE TABLE to_device_client_transactions (
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    txn_id     TEXT NOT NULL,
    created_ts BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_id, txn_id)
);
CREATE INDEX to_device_client_transactions_created ON to_device_client_transactions (created_ts);

-- Inbound m.direct_to_device EDUs already delivered, by origin and message_id: a sender that
-- sends one again (its transaction was not acknowledged) does not deliver it twice.
CREATE TABLE to_device_federation_inbox (
    origin      TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    received_ts BIGINT NOT NULL,
    PRIMARY KEY (origin, message_id)
);
CREATE INDEX to_device_federation_inbox_received ON to_device_federation_inbox (received_ts);

-- Key backups: one row per user that ever made one. last_version numbers the user's backups
-- (a deleted version's number is never given again), and every write to the user's backups
-- locks this row first, so that a new version and an upload to the old one never interleave.
CREATE TABLE room_key_backup_users (
    user_id      TEXT PRIMARY KEY,
    last_version BIGINT NOT NULL
);

-- A backup version: its algorithm and auth_data (JSON text, opaque to the server), its etag
-- (bumped by every change to its keys) and how many keys it holds.
CREATE TABLE room_key_backup_versions (
    user_id   TEXT NOT NULL REFERENCES room_key_backup_users (user_id) ON DELETE CASCADE,
    version   BIGINT NOT NULL,
    algorithm TEXT NOT NULL,
    auth_data TEXT NOT NULL,
    etag      BIGINT NOT NULL DEFAULT 0,
    key_count BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, version)
);

-- One backed-up megolm session key: the metadata the server compares to keep the better key,
-- and session_data, the encrypted key as JSON text.
CREATE TABLE room_key_backup_keys (
    user_id             TEXT NOT NULL,
    version             BIGINT NOT NULL,
    room_id             TEXT NOT NULL,
    session_id          TEXT NOT NULL,
    first_message_index BIGINT NOT NULL,
    forwarded_count     BIGINT NOT NULL,
    is_verified         BOOLEAN NOT NULL,
    session_data        TEXT NOT NULL,
    PRIMARY KEY (user_id, version, room_id, session_id),
    FOREIGN KEY (user_id, version) REFERENCES room_key_backup_versions (user_id, version) ON DELETE CASCADE
);
