-- state_is_public (V0009) as a walk up the snapshot's chain by primary key. The SQL function's
-- recursive query was planned with a sequential scan of state_snapshot_entries (a recursive chain
-- is estimated at 101 links, so probing the key per link looked dearer) until that table outgrew
-- the estimate: each change of a room's current state scanned every room's state, 20 ms a call at
-- 20,000 entries, most of the database's time while rooms were being joined. A chain has at most
-- a few dozen links (StateSnapshot.MAX_DELTA_LEVEL), each probed by key here.
-- Same answer as before: the nearest entry of each key along the chain is the state's (an entry
-- with a NULL event removes the key; an event not stored counts as neither rule).
CREATE OR REPLACE FUNCTION state_is_public(snapshot BIGINT) RETURNS BOOLEAN
    LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    link BIGINT := snapshot;
    join_rule_seen BOOLEAN := FALSE;
    visibility_seen BOOLEAN := FALSE;
    entry RECORD;
BEGIN
    WHILE link IS NOT NULL AND NOT (join_rule_seen AND visibility_seen) LOOP
        FOR entry IN
            SELECT e.type, event_jsonb(ev.json) -> 'content' AS content
            FROM state_snapshot_entries e LEFT JOIN events ev ON ev.event_id = e.event_id
            WHERE e.snapshot_id = link AND e.state_key = ''
              AND e.type IN ('m.room.join_rules', 'm.room.history_visibility')
        LOOP
            IF entry.type = 'm.room.join_rules' AND NOT join_rule_seen THEN
                join_rule_seen := TRUE;
                IF entry.content ->> 'join_rule' = 'public' THEN
                    RETURN TRUE;
                END IF;
            ELSIF entry.type = 'm.room.history_visibility' AND NOT visibility_seen THEN
                visibility_seen := TRUE;
                IF entry.content ->> 'history_visibility' = 'world_readable' THEN
                    RETURN TRUE;
                END IF;
            END IF;
        END LOOP;
        SELECT parent_id INTO link FROM state_snapshots WHERE snapshot_id = link;
    END LOOP;
    RETURN FALSE;
END
$$;
