-- Federation: signing keys (ours and other servers'), the persisted outbound queue and
-- the answers to inbound transactions. See DESIGN.md, federation.

-- Our own signing keys, the current one and those it replaced: GET /_matrix/key/v2/server
-- publishes the replaced ones under old_verify_keys, so that events signed with them can
-- still be checked after a key rotation.
CREATE TABLE local_signing_keys (
    key_id      TEXT PRIMARY KEY,
    -- Unpadded base64 public key.
    public_key  TEXT NOT NULL,
    added_ts    BIGINT NOT NULL,
    -- When the key stopped being used; NULL for the key in use.
    expired_ts  BIGINT
);

-- Other servers' keys, learnt from the servers themselves or through notaries, with the
-- signed key document each came in: notary queries are answered with those documents.
CREATE TABLE remote_server_keys (
    server_name     TEXT NOT NULL,
    key_id          TEXT NOT NULL,
    -- Unpadded base64 public key.
    public_key      TEXT NOT NULL,
    -- The document's valid_until_ts (for a key under verify_keys).
    valid_until_ts  BIGINT NOT NULL,
    -- For a key under old_verify_keys: when the server stopped using it.
    expired_ts      BIGINT,
    fetched_ts      BIGINT NOT NULL,
    -- The key document as the server signed it (canonical JSON).
    document        BYTEA NOT NULL,
    PRIMARY KEY (server_name, key_id)
);

-- Outbound federation: what is still to be delivered to each destination. A row is deleted
-- only once the destination answered the transaction that carried it with 200, so a restart
-- of either side loses nothing.
CREATE TABLE federation_outbound_pdus (
    queue_id     BIGSERIAL PRIMARY KEY,
    destination  TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    queued_ts    BIGINT NOT NULL,
    UNIQUE (destination, event_id)
);
CREATE INDEX federation_outbound_pdus_destination ON federation_outbound_pdus (destination, queue_id);

CREATE TABLE federation_outbound_edus (
    queue_id     BIGSERIAL PRIMARY KEY,
    destination  TEXT NOT NULL,
    edu_type     TEXT NOT NULL,
    -- The EDU's content as canonical JSON.
    content      BYTEA NOT NULL,
    queued_ts    BIGINT NOT NULL
);
CREATE INDEX federation_outbound_edus_destination ON federation_outbound_edus (destination, queue_id);

-- How far into the timeline the outbound queue has taken local events: on start, local
-- events committed after this position (a crash between commit and queueing) are queued.
CREATE TABLE federation_outbound_position (
    singleton        BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    stream_ordering  BIGINT NOT NULL
);

-- Inbound PUT /send/{txnId}: the answer given to each (origin, txnId), so that a retried
-- transaction gets the same answer without being processed twice.
CREATE TABLE federation_inbound_transactions (
    origin       TEXT NOT NULL,
    txn_id       TEXT NOT NULL,
    response     BYTEA NOT NULL,
    received_ts  BIGINT NOT NULL,
    PRIMARY KEY (origin, txn_id)
);
CREATE INDEX federation_inbound_transactions_received ON federation_inbound_transactions (received_ts);
