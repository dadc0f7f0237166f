-- Local users whose device list changed since other servers were last told of it (server-server
-- API, "Device Management"). A row is written in the transaction of the change and removed in the
-- transaction that records what was told and queues the m.device_list_update EDUs for each
-- destination (as Synapse's device_lists_changes_in_room.converted_to_destinations): on start,
-- every user left here is told, so a change committed just before a crash still reaches the
-- servers that share a room with the user. stream_position is the latest change's position on the
-- device list stream (the order users are told in on start); changes counts the user's changes, so
-- that the transaction telling a user removes the row only if no change came after it read the
-- count (a change committing meanwhile, whatever its position, keeps the row).
CREATE TABLE device_list_outbound_pending (
    user_id          TEXT PRIMARY KEY,
    stream_position  BIGINT NOT NULL,
    changes          BIGINT NOT NULL DEFAULT 1
);
