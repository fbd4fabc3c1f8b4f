#include "storage/checkpointer.h"

#include <sqlite3.h>

#include <utility>

namespace dfp::storage {

Checkpointer::Checkpointer(Limits limits, std::function<void()> checkpoint)
    : limits_(limits), checkpoint_(std::move(checkpoint)), thread_([this] { run(); }) {}

Checkpointer::~Checkpointer() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void Checkpointer::watch(sqlite3* db) {
    sqlite3_wal_hook(db, &Checkpointer::onCommit, this);
}

int Checkpointer::onCommit(void* self, sqlite3* db, const char* schema, int pages) {
    auto* checkpointer = static_cast<Checkpointer*>(self);
    if (pages >= checkpointer->limits_.inlinePages) {
        // What SQLite's own hook does at 1000 pages. Its result does not matter to the
        // commit, which is done: a busy or failed checkpoint leaves the WAL for the next.
        (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        return SQLITE_OK;
    }
    // Commits come one at a time (the writer mutex), so askedAt_ has a single writer here.
    const int askedAt = checkpointer->askedAt_.load(std::memory_order_relaxed);
    const int appended = pages >= askedAt ? pages - askedAt : pages;
    if (appended >= checkpointer->limits_.backgroundPages) {
        checkpointer->askedAt_.store(pages, std::memory_order_relaxed);
        checkpointer->asked_.fetch_add(1, std::memory_order_relaxed);
        bool wasRequested = false;
        {
            std::lock_guard lock(checkpointer->mu_);
            wasRequested = std::exchange(checkpointer->requested_, true);
        }
        if (!wasRequested) {
            checkpointer->wake_.notify_one();
        }
    }
    return SQLITE_OK;
}

void Checkpointer::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        wake_.wait(lock, [this] { return requested_ || stopping_; });
        if (stopping_) {
            return;
        }
        // Cleared first: a commit that passes the threshold during this checkpoint asks for
        // the next one.
        requested_ = false;
        lock.unlock();
        try {
            checkpoint_();
        } catch (...) {
            // The WAL keeps its pages; the next request tries again, and the inline limit
            // bounds the WAL until one succeeds.
        }
        lock.lock();
    }
}

}  // namespace dfp::storage
