-- A change count per thread, so that a reader can tell whether its RDT view changed without
-- reading it: every insert, update or delete of a thread's messages or files bumps
-- threads.version in the same transaction. Triggers, not code, so that no writer (the server,
-- dfp-admin's moderation, a future tool) can change a thread without bumping it. Thread ids
-- are never reused (AUTOINCREMENT), so (id, version) names one state of one thread forever.
ALTER TABLE threads ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER messages_insert_bumps_thread AFTER INSERT ON messages
BEGIN
    UPDATE threads SET version = version + 1 WHERE id = NEW.thread_id;
END;

CREATE TRIGGER messages_update_bumps_thread AFTER UPDATE ON messages
BEGIN
    UPDATE threads SET version = version + 1 WHERE id IN (OLD.thread_id, NEW.thread_id);
END;

CREATE TRIGGER messages_delete_bumps_thread AFTER DELETE ON messages
BEGIN
    UPDATE threads SET version = version + 1 WHERE id = OLD.thread_id;
END;

CREATE TRIGGER files_insert_bumps_thread AFTER INSERT ON files
BEGIN
    UPDATE threads SET version = version + 1 WHERE id = NEW.thread_id;
END;

CREATE TRIGGER files_update_bumps_thread AFTER UPDATE ON files
BEGIN
    UPDATE threads SET version = version + 1 WHERE id IN (OLD.thread_id, NEW.thread_id);
END;

CREATE TRIGGER files_delete_bumps_thread AFTER DELETE ON files
BEGIN
    UPDATE threads SET version = version + 1 WHERE id = OLD.thread_id;
END;
