-- The rooms whose members every user of this server may find in the user directory (client-server
-- API, "User directory"): as Synapse decides it, those whose current state lets anyone join them
-- (join_rule public) or read them (history_visibility world_readable). Kept in the transaction
-- that moves a room's current state, so the directory follows each change of either.
-- Events are read through event_jsonb (V0008): a join rule holding U+0000 must not stop the room's
-- state from moving.

-- Whether the room state of a snapshot is public in that sense. A snapshot is its parent plus a
-- delta (an entry with a NULL event removes the key), up to a full copy (no parent): the nearest
-- entry of each key along that chain is the state's, as StateSnapshotRepository reads it.
CREATE FUNCTION state_is_public(snapshot BIGINT) RETURNS BOOLEAN
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE chain (snapshot_id, parent_id, depth) AS (
        SELECT snapshot_id, parent_id, 0 FROM state_snapshots WHERE snapshot_id = $1
        UNION ALL
        SELECT s.snapshot_id, s.parent_id, chain.depth + 1
        FROM state_snapshots s JOIN chain ON s.snapshot_id = chain.parent_id
    ), latest AS (
        SELECT DISTINCT ON (e.type) e.type, e.event_id
        FROM chain JOIN state_snapshot_entries e ON e.snapshot_id = chain.snapshot_id
        WHERE e.state_key = '' AND e.type IN ('m.room.join_rules', 'm.room.history_visibility')
        ORDER BY e.type, chain.depth
    )
    SELECT EXISTS (
        SELECT 1 FROM latest JOIN events ev ON ev.event_id = latest.event_id
        WHERE (latest.type = 'm.room.join_rules'
               AND event_jsonb(ev.json) -> 'content' ->> 'join_rule' = 'public')
           OR (latest.type = 'm.room.history_visibility'
               AND event_jsonb(ev.json) -> 'content' ->> 'history_visibility' = 'world_readable'))
$$;

CREATE TABLE user_directory_public_rooms (
    room_id TEXT PRIMARY KEY REFERENCES rooms (room_id)
);

INSERT INTO user_directory_public_rooms (room_id)
SELECT room_id FROM room_current_state WHERE state_is_public(snapshot_id);
