-- Schema version 4: one unlock uploaded twice (G11). A lock that lost the server's
-- acknowledgement uploads the same unlock again under a new id: both rows are kept, the
-- later one pointing at the first (see `doorpost_core::duplicates`), and only one of them
-- is ever announced.
--
-- Released migrations are never edited: change the schema in a new numbered file.

-- The id of the first row of the same unlock (same door, person and device time, arrived
-- within minutes); NULL for an original. Always an original's id, never a duplicate's.
ALTER TABLE event_log ADD COLUMN duplicate_of TEXT;

-- "Is there another upload of this unlock?": the rows a door has at one device time.
CREATE INDEX event_log_by_unlock ON event_log (door_id, timestamp)
    WHERE door_id IS NOT NULL AND timestamp IS NOT NULL AND person IS NOT NULL;
-- An original's duplicates, when a late original takes their place.
CREATE INDEX event_log_duplicates ON event_log (duplicate_of) WHERE duplicate_of IS NOT NULL;
