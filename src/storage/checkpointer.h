#pragma once

// Checkpointer: moves the WAL's pages into the database file on a thread of its own, so that
// no commit waits for a checkpoint (docs/storage.md, "Checkpoints").
//
// SQLite's default runs a checkpoint inside the COMMIT that takes the WAL past 1000 pages:
// that writer, and with group commit every writer queued behind it, waits for the copy and
// its fsyncs. Instead, the writing connection gets onCommit() as its WAL hook, which only
// asks this thread for a checkpoint once `backgroundPages` pages have been appended since
// it last asked; the thread runs a PASSIVE one (it waits for no reader or writer) while the
// writers go on appending. Such a checkpoint rarely catches up with writers that never
// pause, and SQLite starts the WAL file over only once one has: so when the WAL reaches
// `inlinePages`, the committing writer checkpoints the little that is left itself, with no
// other writer of this process running (it holds the writer mutex), and the WAL starts over.
// The WAL thus stays bounded, and a writer pays for a checkpoint once per `inlinePages`
// instead of once per 1000 pages.
//
// Thread-safety: onCommit() may run on any thread; the checkpoint function runs only on this
// object's thread and must be safe there.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

struct sqlite3;

namespace dfp::storage {

class Checkpointer {
public:
    struct Limits {
        int backgroundPages = 1000;  // SQLite's own auto-checkpoint threshold
        int inlinePages = 16000;     // 62.5 MiB of WAL at 4 KiB pages
    };

    // checkpoint runs one PASSIVE checkpoint. If it throws, the WAL keeps its pages until the
    // next request (the inline limit bounds it meanwhile).
    Checkpointer(Limits limits, std::function<void()> checkpoint);
    ~Checkpointer();  // lets a running checkpoint finish, then joins
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Installs onCommit as the WAL hook of a connection that writes.
    void watch(sqlite3* db);

    // sqlite3_wal_hook's callback: `pages` is the WAL's size after a commit on `db`.
    static int onCommit(void* self, sqlite3* db, const char* schema, int pages);

    // How many background checkpoints onCommit has asked for so far.
    unsigned long asked() const { return asked_.load(std::memory_order_relaxed); }

private:
    void run();

    const Limits limits_;
    const std::function<void()> checkpoint_;
    // The WAL's size when the last checkpoint was asked for: the checkpoint copies at least
    // that far, so the next is asked for `backgroundPages` later. A smaller WAL has started
    // over.
    std::atomic<int> askedAt_{0};
    std::atomic<unsigned long> asked_{0};
    std::mutex mu_;
    std::condition_variable wake_;
    bool requested_ = false;  // guarded by mu_
    bool stopping_ = false;   // guarded by mu_
    std::thread thread_;      // last: starts once the rest is ready
};

}  // namespace dfp::storage
