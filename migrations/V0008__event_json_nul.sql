-- Reading inside stored events from SQL. Events are kept as their canonical JSON, where U+0000 is
-- the escape \u0000 like any other character: a client or a peer may put one in any string of
-- content, and other servers accept it. PostgreSQL's jsonb cannot hold U+0000 and refuses the
-- whole document, which made every query that read inside such an event fail (a membership
-- reason with U+0000 broke the member's /sync for good). So queries read events through
-- event_jsonb, which reads each \u0000 escape as a space, as Synapse's search index does.
--
-- The replacement swaps four hex digits for four others and so cannot change the JSON's
-- structure: where the six characters follow an escaped backslash they are plain text, and stay
-- plain text. The stored JSON is canonical, so U+0000 is never written any other way.
CREATE FUNCTION event_jsonb(event_json BYTEA) RETURNS JSONB
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(convert_from(event_json, 'UTF8'), E'\\u0000', E'\\u0020')::jsonb
$$;

-- The search index's text, now through event_jsonb. No indexed value changes: an event holding
-- U+0000 could not be stored before (computing its index entry failed).
CREATE OR REPLACE FUNCTION event_search_text(event_type TEXT, event_json BYTEA) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE event_type
        WHEN 'm.room.message' THEN event_jsonb(event_json) -> 'content' ->> 'body'
        WHEN 'm.room.name' THEN event_jsonb(event_json) -> 'content' ->> 'name'
        WHEN 'm.room.topic' THEN event_jsonb(event_json) -> 'content' ->> 'topic'
    END
$$;
