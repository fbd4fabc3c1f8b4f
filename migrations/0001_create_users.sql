-- Accounts. Names are unique without regard to case (protocol.md §3) and kept as first
-- registered; user names are ASCII, so NOCASE folds exactly what it must.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    created       INTEGER NOT NULL
) STRICT;
