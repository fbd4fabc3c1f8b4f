-- A change count for the list of threads (LST), as 0004 did for each thread's view: creating
-- or removing a thread bumps thread_list.version in the same transaction, whoever does it.
CREATE TABLE thread_list (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;

INSERT INTO thread_list (id, version) VALUES (1, 0);

CREATE TRIGGER threads_insert_bumps_list AFTER INSERT ON threads
BEGIN
    UPDATE thread_list SET version = version + 1;
END;

CREATE TRIGGER threads_delete_bumps_list AFTER DELETE ON threads
BEGIN
    UPDATE thread_list SET version = version + 1;
END;
