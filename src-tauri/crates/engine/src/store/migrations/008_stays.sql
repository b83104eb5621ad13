-- Schema version 8: stays (issue 16). Booking feeds per place (their links live in the
-- keychain only, never here), the stays read from them, staff, each unlock's mark, and a
-- place's own values of the settings that have a per-place scope.
--
-- Released migrations are never edited: change the schema in a new numbered file.

-- One booking feed of a place. `body` is the last good calendar, kept across failures
-- and restarts; it is read again whenever the place's rules change.
CREATE TABLE feeds (
    place_id      TEXT NOT NULL,
    label         TEXT NOT NULL,
    entries       TEXT NOT NULL DEFAULT 'bookings' CHECK (entries IN ('bookings', 'blocks')),
    blocks_vacant INTEGER NOT NULL DEFAULT 0 CHECK (blocks_vacant IN (0, 1)),
    etag          TEXT,
    last_modified TEXT,
    body          TEXT,
    -- Wall-clock ms of the last fetch, and of the last good one (a 304 counts).
    fetched_at    INTEGER,
    ok_at         INTEGER,
    -- The last fetch's problem (the IPC `FeedProblem`, camelCase), NULL when it worked.
    problem       TEXT,
    http_status   INTEGER,
    stays_found   INTEGER NOT NULL DEFAULT 0,
    -- Answers in a row with no stays while the kept calendar had some: believed at 2.
    empty_answers INTEGER NOT NULL DEFAULT 0,
    added_at      INTEGER NOT NULL,
    PRIMARY KEY (place_id, label)
) WITHOUT ROWID;

-- Every stay (or blocked period) a place's feeds listed, merged across feeds, kept after
-- the feeds drop it (Airbnb lists no past stays) until the retention removes it.
CREATE TABLE stays (
    id               INTEGER PRIMARY KEY,
    place_id         TEXT NOT NULL,
    -- The feed's UID (the first feed's, once merged).
    uid              TEXT NOT NULL,
    -- An all-day entry: dates (YYYY-MM-DD, check-out exclusive); a timed one: ms.
    start_date       TEXT,
    end_date         TEXT,
    start_at         INTEGER,
    end_at           INTEGER,
    kind             TEXT NOT NULL CHECK (kind IN ('booking', 'block')),
    blocks_vacant    INTEGER NOT NULL DEFAULT 0 CHECK (blocks_vacant IN (0, 1)),
    summary          TEXT NOT NULL DEFAULT '',
    guest_name       TEXT,
    reservation_code TEXT,
    phone_last4      TEXT,
    -- JSON array of the labels of the feeds that list it.
    sources          TEXT NOT NULL DEFAULT '[]',
    first_seen_at    INTEGER NOT NULL,
    -- Set when a fetch no longer lists it (cancelled, or past); cleared if listed again.
    dropped_at       INTEGER,
    -- What the matching decided, so nothing is told twice across restarts.
    arrived_at       INTEGER,
    arrival_event    TEXT,
    arrived_late     INTEGER NOT NULL DEFAULT 0 CHECK (arrived_late IN (0, 1)),
    no_show_at       INTEGER,
    no_show_closed   INTEGER NOT NULL DEFAULT 0 CHECK (no_show_closed IN (0, 1)),
    UNIQUE (place_id, uid),
    CHECK ((start_date IS NOT NULL AND end_date IS NOT NULL)
        OR (start_at IS NOT NULL AND end_at IS NOT NULL))
);
CREATE INDEX stays_by_place ON stays (place_id, start_date, start_at);

-- People marked staff, at every place.
CREATE TABLE staff (
    kind     TEXT NOT NULL CHECK (kind IN ('name', 'user', 'access')),
    -- For a name: trimmed and lower-cased, as matching compares it.
    value    TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;

-- What each unlock at a place with feeds was (the IPC `MarkKind`, camelCase).
CREATE TABLE unlock_marks (
    event_id TEXT PRIMARY KEY NOT NULL,
    mark     TEXT NOT NULL
        CHECK (mark IN ('arrival', 'foundAfterAll', 'guest', 'blocked', 'staff', 'vacant')),
    stay_id  INTEGER
) WITHOUT ROWID;
CREATE INDEX unlock_marks_by_stay ON unlock_marks (stay_id);

-- A place's own value of a setting with a per-place scope (`config --place`): the field's
-- camelCase name and its value as JSON.
CREATE TABLE place_settings (
    place_id TEXT NOT NULL,
    field    TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (place_id, field)
) WITHOUT ROWID;
