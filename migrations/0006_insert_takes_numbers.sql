-- A message's insert now also moves its thread's counters past it, in the one row update that
-- bumps the thread's version (0004). Before, the store took a number with an UPDATE of the
-- thread and the insert's trigger updated the same row again: two updates of one row for
-- every message. As before, this is a trigger and not code, so any insert of a message, by
-- whatever writer, bumps the version; and now also leaves next_number and next_seq past every
-- number and position in use, so that they only grow and are never handed out twice.
DROP TRIGGER messages_insert_bumps_thread;

CREATE TRIGGER messages_insert_bumps_thread AFTER INSERT ON messages
BEGIN
    UPDATE threads SET version = version + 1,
                       next_number = MAX(next_number, NEW.number + 1),
                       next_seq = MAX(next_seq, NEW.seq + 1)
     WHERE id = NEW.thread_id;
END;
