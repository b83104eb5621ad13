-- Schema version 2: several places (Parakey domains, each with its own token), arrivals
-- and mutes.
--
-- Released migrations are never edited: change the schema in a new numbered file.

-- One row per place. A place's history is tied to its id, which stays when its token is
-- replaced (the token itself lives in the OS keychain, under an entry named after the id).
CREATE TABLE places (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    -- NULL: Parakey's own address.
    api_url     TEXT,
    -- NULL: the default in the settings.
    notify_mode TEXT CHECK (notify_mode IN ('every', 'arrivals')),
    position    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- The place an event came from; NULL for rows stored before places existed, until the
-- first place adopts them.
ALTER TABLE event_log ADD COLUMN place_id TEXT;
-- Who unlocked, for "arrivals": `user:<id>`, else `access:<id>`, else `name:<name>`; NULL
-- for an unlock by nobody in particular (scrubbed, anonymous), which always notifies.
ALTER TABLE event_log ADD COLUMN person TEXT;
-- Set when decided: not the person's first unlock at its place that day.
ALTER TABLE event_log ADD COLUMN repeat INTEGER NOT NULL DEFAULT 0;
-- Set when decided: arrived while its door was muted (or notifications paused).
ALTER TABLE event_log ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;

-- A place's history, newest first (the place filter).
CREATE INDEX event_log_by_place ON event_log (place_id, unlocked_at, id);
-- "Has this person unlocked here earlier today?"
CREATE INDEX event_log_by_person ON event_log (place_id, person, unlocked_at)
    WHERE person IS NOT NULL;
-- A place's rows whose notification is still owed.
CREATE INDEX event_log_pending_by_place ON event_log (place_id, created_at)
    WHERE notify_state = 'pending';

ALTER TABLE doors ADD COLUMN place_id TEXT;

-- Doors muted until a wall-clock time. The door id '*' stands for every door:
-- notifications paused (`until` NULL: until resumed). `kept` counts the unlocks stored
-- while the mute holds.
CREATE TABLE mutes (
    door_id TEXT PRIMARY KEY NOT NULL,
    until   INTEGER,
    kept    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
