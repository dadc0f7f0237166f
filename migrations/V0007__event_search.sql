-- Server-side search (client-server API, "Server Side Search"): an index of the searchable
-- text of room events, so that a search looks words up instead of reading every event of the
-- searcher's rooms.

-- The searchable text of an event: a message's body, a room's name or topic; NULL for every
-- other type, which the index then leaves out (GIN does not index NULL). Declared IMMUTABLE
-- for the index: it depends only on its arguments (the stored JSON is always UTF-8).
CREATE FUNCTION event_search_text(event_type TEXT, event_json BYTEA) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE event_type
        WHEN 'm.room.message' THEN convert_from(event_json, 'UTF8')::jsonb -> 'content' ->> 'body'
        WHEN 'm.room.name' THEN convert_from(event_json, 'UTF8')::jsonb -> 'content' ->> 'name'
        WHEN 'm.room.topic' THEN convert_from(event_json, 'UTF8')::jsonb -> 'content' ->> 'topic'
    END
$$;

CREATE INDEX events_search ON events USING GIN (to_tsvector('english', event_search_text(type, json)));
