-- Threads and their messages. Message numbers come from threads.next_number, a counter that
-- only grows, so a deleted number is never reused (protocol.md §4). next_seq orders messages
-- and uploads together in posting order for RDT. AUTOINCREMENT: a thread id is never reused,
-- so an upload accepted into a thread that is removed and re-created under the same title
-- while its bytes are in flight cannot land in the new thread (storage checks the id).
CREATE TABLE threads (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT    NOT NULL UNIQUE,
    creator_id  INTEGER NOT NULL REFERENCES users(id),
    created     INTEGER NOT NULL,
    next_number INTEGER NOT NULL DEFAULT 1,
    next_seq    INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE messages (
    id        INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    number    INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users(id),
    text      TEXT    NOT NULL,
    created   INTEGER NOT NULL,
    edited    INTEGER,
    UNIQUE (thread_id, number),
    UNIQUE (thread_id, seq)
) STRICT;
