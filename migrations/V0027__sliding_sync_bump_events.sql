-- Sliding sync (MSC4186) orders a user's rooms by their "bump stamp": the timeline position of
-- the newest event of the types that bump a room (Synapse's SLIDING_SYNC_DEFAULT_BUMP_EVENT_TYPES).
-- A room's newest such event is one step along this index, however many reactions, edits or
-- state events came after it. The predicate is repeated verbatim in SlidingSyncQueries, so that
-- PostgreSQL can prove its query implies it.
CREATE INDEX events_room_bump ON events (room_id, stream_ordering)
    WHERE type IN ('m.room.create', 'm.room.message', 'm.room.encrypted', 'm.sticker', 'm.call.invite',
                   'm.poll.start', 'm.beacon_info')
      AND NOT soft_failed AND rejected_reason IS NULL AND stream_ordering > 0;
