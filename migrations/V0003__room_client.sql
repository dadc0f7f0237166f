-- What the client-server API keeps about rooms beside their events: send transaction ids,
-- room aliases, the published room directory and forgotten rooms. See DESIGN.md, server.

-- Client transaction ids (client-server API, "Transaction identifiers"): a retried
-- PUT /send or /redact with the same id returns the event it made the first time, also after
-- a restart. Scoped to one device, one endpoint kind and one room (as Synapse does).
CREATE TABLE client_transactions (
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    room_id    TEXT NOT NULL,
    -- 'send' or 'redact'
    kind       TEXT NOT NULL,
    txn_id     TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    created_ts BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_id, room_id, kind, txn_id)
);
-- unsigned.transaction_id: which device sent an event, with which id.
CREATE INDEX client_transactions_event ON client_transactions (event_id);

-- Local room aliases (client-server API, "Room aliases"): #localpart:this_server to a room.
CREATE TABLE room_aliases (
    alias      TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    creator    TEXT NOT NULL,
    created_ts BIGINT NOT NULL
);
CREATE INDEX room_aliases_room ON room_aliases (room_id);

-- The published room directory (client-server API, "Published room directory"): rooms listed
-- in /publicRooms. A room without a row is private.
CREATE TABLE room_directory (
    room_id    TEXT PRIMARY KEY,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
    updated_ts BIGINT NOT NULL
);
CREATE INDEX room_directory_public ON room_directory (room_id) WHERE visibility = 'public';

-- Rooms a user forgot (POST /forget): the membership event that was current when they forgot
-- it. A newer membership (a rejoin, a new invite) makes the room remembered again.
CREATE TABLE forgotten_rooms (
    user_id             TEXT NOT NULL,
    room_id             TEXT NOT NULL,
    membership_event_id TEXT NOT NULL,
    PRIMARY KEY (user_id, room_id)
);

-- GET /timestamp_to_event: the closest event of a room to a point in time.
CREATE INDEX events_room_ts ON events (room_id, origin_server_ts) WHERE stream_ordering IS NOT NULL;
