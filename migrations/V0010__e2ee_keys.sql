-- End-to-end encryption keys (client-server API, "End-to-End Encryption"): the server stores and
-- relays public keys and signatures, never plaintext. Key objects are kept as canonical JSON
-- text, not jsonb: jsonb refuses \u0000, which a client may well put in a key object, and the
-- exact text is what signatures cover.
--
-- These tables hold the keys of local devices and users. Keys of remote users fetched over
-- federation will live in tables of their own (a cache with its own invalidation), so these
-- can cascade from the devices table.

-- A device's identity keys as it uploaded them (with the device's own signature). Deleting the
-- device deletes them.
CREATE TABLE e2e_device_keys (
    user_id      TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    key_json     TEXT NOT NULL,
    ts_added_ms  BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- One-time keys waiting to be claimed, each handed out once (DELETE ... RETURNING). id is the
-- upload order, in which the spec wants them claimed.
CREATE TABLE e2e_one_time_keys (
    id           BIGSERIAL PRIMARY KEY,
    user_id      TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    algorithm    TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    key_json     TEXT NOT NULL,
    ts_added_ms  BIGINT NOT NULL,
    UNIQUE (user_id, device_id, algorithm, key_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX e2e_one_time_keys_claim ON e2e_one_time_keys (user_id, device_id, algorithm, id);

-- The fallback key per device and algorithm: handed out when no one-time key is left, and then
-- marked used (/sync tells the device, which uploads a new one) but kept.
CREATE TABLE e2e_fallback_keys (
    user_id      TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    algorithm    TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    key_json     TEXT NOT NULL,
    used         BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, device_id, algorithm),
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- A user's current cross-signing keys, as uploaded (with the signatures that came with them).
CREATE TABLE e2e_cross_signing_keys (
    user_id      TEXT NOT NULL,
    key_type     TEXT NOT NULL CHECK (key_type IN ('master', 'self_signing', 'user_signing')),
    -- 'ed25519:<unpadded base64 public key>'
    key_id       TEXT NOT NULL,
    key_json     TEXT NOT NULL,
    ts_added_ms  BIGINT NOT NULL,
    PRIMARY KEY (user_id, key_type)
);

-- Signatures uploaded with POST /keys/signatures/upload, each checked before it was stored:
-- devices signed by their user's self-signing key, a master key signed by one of its user's
-- devices, another user's master key signed by the signer's user-signing key. target_id is a
-- device id or the public key of a master key. They are merged into the signed object's
-- signatures when it is queried.
CREATE TABLE e2e_cross_signing_signatures (
    target_user_id  TEXT NOT NULL,
    target_id       TEXT NOT NULL,
    signer_user_id  TEXT NOT NULL,
    signer_key_id   TEXT NOT NULL,
    signature       TEXT NOT NULL,
    PRIMARY KEY (target_user_id, target_id, signer_user_id, signer_key_id)
);
