-- Schema version 6: "notifications paused" gets a row of its own. It was the mute of the
-- door id '*', a key any server could also send as a door's id: that door then showed the
-- pause as its own mute, and a mute of it would have paused everything.
--
-- Released migrations are never edited: change the schema in a new numbered file.

-- At most one row: notifications paused until a wall-clock time (`until` NULL: until
-- resumed). `kept` counts the unlocks stored while the pause holds.
CREATE TABLE pause (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    until INTEGER,
    kept  INTEGER NOT NULL DEFAULT 0
);

INSERT INTO pause (id, until, kept) SELECT 1, until, kept FROM mutes WHERE door_id = '*';
DELETE FROM mutes WHERE door_id = '*';
