-- Relationships between events (client-server API, "Forming relationships between events"):
-- which event relates to which, so that /relations, /threads and the aggregations bundled with
-- each event a client gets look relations up instead of reading event contents.

-- One row per event that clients may see (placed in the timeline, neither rejected, soft-failed
-- nor an outlier) whose content has an m.relates_to with a string rel_type and event_id. Written
-- in the event's own commit; an event named by an accepted redaction has none (a redaction strips
-- m.relates_to, and Synapse forgets the relation then too). The parent may be unknown: it is kept
-- as an id. Sender, type and position are the child's, copied so that pages, counts and edits
-- are read from here alone.
CREATE TABLE event_relations (
    event_id        TEXT PRIMARY KEY,
    relates_to_id   TEXT NOT NULL,
    rel_type        TEXT NOT NULL,
    -- An annotation's key, when it is a string.
    aggregation_key TEXT,
    room_id         TEXT NOT NULL,
    sender          TEXT NOT NULL,
    type            TEXT NOT NULL,
    stream_ordering BIGINT NOT NULL
);
CREATE INDEX event_relations_parent ON event_relations (relates_to_id, stream_ordering);
CREATE INDEX event_relations_room ON event_relations (room_id, relates_to_id);

-- Each thread of a room with its latest reply's position: /threads lists threads by it, newest
-- first. Moves only forward.
CREATE TABLE room_threads (
    room_id                TEXT NOT NULL,
    thread_id              TEXT NOT NULL,
    latest_event_id        TEXT NOT NULL,
    latest_stream_ordering BIGINT NOT NULL,
    PRIMARY KEY (room_id, thread_id)
);
CREATE INDEX room_threads_latest ON room_threads (room_id, latest_stream_ordering);

-- The events stored before this migration, from their stored JSON.
INSERT INTO event_relations (event_id, relates_to_id, rel_type, aggregation_key, room_id, sender, type, stream_ordering)
SELECT e.event_id, r.rel ->> 'event_id', r.rel ->> 'rel_type',
       CASE WHEN jsonb_typeof(r.rel -> 'key') = 'string' THEN r.rel ->> 'key' END,
       e.room_id, e.sender, e.type, e.stream_ordering
FROM events e
CROSS JOIN LATERAL (SELECT event_jsonb(e.json) -> 'content' -> 'm.relates_to' AS rel) r
WHERE e.stream_ordering IS NOT NULL AND NOT e.outlier AND NOT e.soft_failed AND e.rejected_reason IS NULL
  AND jsonb_typeof(r.rel -> 'rel_type') = 'string' AND jsonb_typeof(r.rel -> 'event_id') = 'string'
  AND NOT EXISTS (SELECT 1 FROM events d
                  WHERE d.redacts = e.event_id AND d.room_id = e.room_id AND d.type = 'm.room.redaction'
                    AND d.stream_ordering IS NOT NULL AND NOT d.soft_failed AND d.rejected_reason IS NULL);

INSERT INTO room_threads (room_id, thread_id, latest_event_id, latest_stream_ordering)
SELECT DISTINCT ON (room_id, relates_to_id) room_id, relates_to_id, event_id, stream_ordering
FROM event_relations
WHERE rel_type = 'm.thread'
ORDER BY room_id, relates_to_id, stream_ordering DESC;
