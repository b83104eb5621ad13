-- Schema version 1: the event history, its two small dimensions (names, doors), the
-- quarantine, the poller's durable state, the poll log and the settings.
--
-- Released migrations are never edited: change the schema in a new numbered file.

-- One row per Parakey event log, keyed by Parakey's id (G2: no duplicates).
CREATE TABLE event_log (
    id            TEXT PRIMARY KEY NOT NULL,
    -- Which account the event came from: a fingerprint the caller chooses.
    source        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    timestamp     INTEGER,
    -- When the unlock happened, as best known; derived so it can never disagree.
    unlocked_at   INTEGER NOT NULL GENERATED ALWAYS AS (COALESCE(timestamp, created_at)) STORED,
    door_id       TEXT,
    door_name     TEXT,
    user_id       TEXT,
    user_name     TEXT,
    domain_id     TEXT,
    domain_name   TEXT,
    kind          TEXT,
    -- The record exactly as Parakey sent it last.
    raw           TEXT NOT NULL,
    -- Wall-clock ms of the commit that first stored the row; never updated.
    first_seen_at INTEGER NOT NULL,
    -- G3: set once when the row is inserted, then only pending -> notified.
    notify_state  TEXT NOT NULL CHECK (notify_state IN ('pending', 'notified', 'suppressed'))
);

-- History pages: newest first, keyset pagination on (unlocked_at, id).
CREATE INDEX event_log_by_time ON event_log (unlocked_at, id);
-- The same order within one door or one user name, so that a filter on a quiet door or
-- a rare name reads only its own rows. Door names need no index of their own: the few
-- doors that carried a matching name are read through event_log_by_door.
CREATE INDEX event_log_by_door ON event_log (door_id, unlocked_at, id);
CREATE INDEX event_log_by_user_name ON event_log (user_name, unlocked_at, id);
-- Coverage: events that arrived (createdAt) inside an outage.
CREATE INDEX event_log_by_arrival ON event_log (created_at);
-- Crash recovery: the few rows whose notification is still owed.
CREATE INDEX event_log_pending ON event_log (source, created_at) WHERE notify_state = 'pending';

-- Distinct door and user names with their row counts. Text search matches the query
-- against these few hundred names, then reads the matching rows through the indexes above.
CREATE TABLE names (
    kind    TEXT NOT NULL CHECK (kind IN ('door', 'user')),
    name    TEXT NOT NULL,
    -- For a door name, the door that carried it ('' for events without a door id);
    -- always '' for a user name.
    door_id TEXT NOT NULL,
    events  INTEGER NOT NULL,
    PRIMARY KEY (kind, name, door_id)
) WITHOUT ROWID;

-- Doors seen, kept up to date by every commit (the settings door picker).
CREATE TABLE doors (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT,
    last_unlock INTEGER NOT NULL,
    events      INTEGER NOT NULL
) WITHOUT ROWID;

-- Records that could not be read, one row per distinct raw text.
CREATE TABLE quarantine (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    record_id     TEXT,
    reason        TEXT NOT NULL,
    raw           TEXT NOT NULL,
    raw_sha256    TEXT NOT NULL UNIQUE,
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    times_seen    INTEGER NOT NULL
);
CREATE INDEX quarantine_by_record ON quarantine (source, record_id) WHERE record_id IS NOT NULL;

-- The poller's state (watermark, ETag, ...), serialised by the caller.
CREATE TABLE poll_state (
    source     TEXT PRIMARY KEY NOT NULL,
    state_json TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- One row per poll, successful or not.
CREATE TABLE poll_log (
    id         INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    at         INTEGER NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('not_modified', 'fetched', 'failed')),
    requests   INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    new_events INTEGER NOT NULL,
    error      TEXT
);
CREATE INDEX poll_log_by_time ON poll_log (at);

-- The settings: one row of JSON. `unreadable_json` keeps a stored text that could not be
-- read, so that saving new settings never destroys the evidence.
CREATE TABLE settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    json            TEXT NOT NULL,
    unreadable_json TEXT
);
