-- Schema version 3: the install's own id, which names its keychain entries
-- (`parakey-token:<install id>:<place id>`), so two data directories of one user never
-- share, adopt, overwrite or delete each other's tokens.
--
-- Released migrations are never edited: change the schema in a new numbered file.

CREATE TABLE install (
    -- One row, made with the schema: random, never changed.
    id              TEXT PRIMARY KEY NOT NULL,
    -- 1 while the tokens a Doorpost from before install ids kept (entries named by place
    -- only) are still to be moved under this install's names; set only for a database
    -- that already held that Doorpost's data (places, history or a poller's state), so a
    -- new, empty data directory never adopts another install's token.
    legacy_keychain INTEGER NOT NULL CHECK (legacy_keychain IN (0, 1))
) WITHOUT ROWID;

INSERT INTO install (id, legacy_keychain)
SELECT lower(hex(randomblob(16))),
       EXISTS (SELECT 1 FROM places)
           OR EXISTS (SELECT 1 FROM event_log)
           OR EXISTS (SELECT 1 FROM poll_state);
