-- Application services (bridges): what each has been sent, and the transactions not yet
-- acknowledged, so that a restart neither loses nor reorders them.

-- stream_ordering: every live event up to it has been looked at for this service (and, if of
-- interest, put in a transaction). last_txn_id: the id of the newest transaction made for it;
-- ids increase by one per transaction and are never reused.
CREATE TABLE appservice_state (
    appservice_id   TEXT PRIMARY KEY,
    stream_ordering BIGINT NOT NULL,
    last_txn_id     BIGINT NOT NULL DEFAULT 0
);

-- Transactions made and not yet acknowledged by the service (PUT /_matrix/app/v1/transactions/{txnId}
-- answered 2xx): sent oldest first, one at a time, resent with the same id and body until answered.
CREATE TABLE appservice_txns (
    appservice_id TEXT   NOT NULL,
    txn_id        BIGINT NOT NULL,
    body          BYTEA  NOT NULL,
    PRIMARY KEY (appservice_id, txn_id)
);

-- Rooms an application service published in the room directory of one of its third-party
-- networks (PUT /_matrix/client/v3/directory/list/appservice/{networkId}/{roomId}), listed by
-- /publicRooms with third_party_instance_id "{appservice_id}|{network_id}", as Synapse's
-- appservice_room_list.
CREATE TABLE appservice_room_list (
    appservice_id TEXT NOT NULL,
    network_id    TEXT NOT NULL,
    room_id       TEXT NOT NULL,
    PRIMARY KEY (appservice_id, network_id, room_id)
);
