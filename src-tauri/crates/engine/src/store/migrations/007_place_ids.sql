-- Schema version 7: every place id ever given out, so none is given twice (a new place
-- never takes a removed one's history, doors or keychain entry), and which removed
-- places' keychain entries are still to be deleted.
--
-- Released migrations are never edited: change the schema in a new numbered file.

CREATE TABLE place_ids (
    id              TEXT PRIMARY KEY NOT NULL,
    -- 1 from the moment its place is removed until its keychain entry is deleted: a
    -- keychain that failed then, or a crash, leaves it to the next start.
    token_to_clear  INTEGER NOT NULL DEFAULT 0 CHECK (token_to_clear IN (0, 1))
) WITHOUT ROWID;

-- Ids in use, and those a removed place's kept history still names.
INSERT OR IGNORE INTO place_ids (id) SELECT id FROM places;
INSERT OR IGNORE INTO place_ids (id)
    SELECT DISTINCT place_id FROM event_log WHERE place_id IS NOT NULL;
INSERT OR IGNORE INTO place_ids (id)
    SELECT DISTINCT place_id FROM doors WHERE place_id IS NOT NULL;
