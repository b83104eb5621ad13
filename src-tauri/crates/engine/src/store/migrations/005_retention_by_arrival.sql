-- Schema version 5: retention by arrival. A row is forgotten once the earlier of its
-- `created_at` (the server's) and its `first_seen_at` (this machine's) is past the
-- retention period, so a record the server dates in the future is forgotten too.
--
-- Released migrations are never edited: change the schema in a new numbered file.

-- The rows not yet forgotten that the server dated after they arrived: the few the sweep
-- finds by arrival rather than through `event_log_by_arrival`. A forgotten row leaves it.
-- The sweep's statement repeats this WHERE clause word for word (SQLite uses a partial
-- index only then), with the mark `forget.rs` calls FORGOTTEN_MARK.
CREATE INDEX event_log_dated_ahead ON event_log (first_seen_at)
    WHERE created_at > first_seen_at AND substr(raw, 1, 18) <> '{"forgotten":true,';
