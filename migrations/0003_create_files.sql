-- Uploaded files. The bytes live in <data-dir>/files/<blob>, named by a random id, never by
-- the user's file name. seq shares threads.next_seq with messages (posting order).
CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    thread_id   INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    uploader_id INTEGER NOT NULL REFERENCES users(id),
    size        INTEGER NOT NULL CHECK (size >= 0),
    sha256      TEXT    NOT NULL,
    blob        TEXT    NOT NULL UNIQUE,
    created     INTEGER NOT NULL,
    UNIQUE (thread_id, name),
    UNIQUE (thread_id, seq)
) STRICT;
