-- The highest live and lowest backfilled timeline positions ever taken, for when the events that
-- held them are gone (a purged room). Positions are taken from the events table's extremes; without
-- this row, a purge of the newest room would let the next events take positions that clients'
-- sync tokens and the federation queue had already passed, and they would never see them.
CREATE TABLE timeline_bounds (
    singleton      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    live_high      BIGINT NOT NULL,
    backfilled_low BIGINT NOT NULL
);
