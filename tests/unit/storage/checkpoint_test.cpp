// Checkpoints (docs/storage.md): the WAL is copied into the database file on the store's own
// checkpointer thread, so commits do not wait for it, and a committing writer checkpoints only
// when the WAL reaches the inline limit. Observed through the store's checkpoint hooks and the
// size of the WAL file.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <sqlite3.h>

#include <boost/test/unit_test.hpp>

#include "storage/checkpointer.h"
#include "storage/forum_store.h"
#include "storage/sqlite_forum_store.h"
#include "support/storage_fixture.h"

using dfp::test::StoreFixture;

namespace {

constexpr auto kDeadline = std::chrono::seconds(30);

struct Checkpoint {
    int result = 0;
    int walFrames = 0;
    int checkpointed = 0;
};

// Records every background checkpoint, and holds them back until release() when asked to.
class CheckpointLog {
public:
    dfp::storage::StoreTestHooks hooks(int backgroundPages, int inlinePages) {
        dfp::storage::StoreTestHooks hooks;
        hooks.checkpointPages = backgroundPages;
        hooks.inlineCheckpointPages = inlinePages;
        hooks.beforeCheckpoint = [this] {
            std::unique_lock lock(mu_);
            ++started_;
            changed_.notify_all();
            changed_.wait_for(lock, kDeadline, [&] { return !holding_; });
        };
        hooks.checkpointed = [this](int result, int walFrames, int checkpointed) {
            std::lock_guard lock(mu_);
            done_.push_back({result, walFrames, checkpointed});
            changed_.notify_all();
        };
        return hooks;
    }

    void hold() {
        std::lock_guard lock(mu_);
        holding_ = true;
    }
    void release() {
        std::lock_guard lock(mu_);
        holding_ = false;
        changed_.notify_all();
    }
    // Waits until `count` checkpoints have begun; false after the deadline.
    bool awaitStarted(int count) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, kDeadline, [&] { return started_ >= count; });
    }
    // Waits until `count` checkpoints have ended; false after the deadline.
    bool awaitDone(std::size_t count) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, kDeadline, [&] { return done_.size() >= count; });
    }
    std::vector<Checkpoint> done() {
        std::lock_guard lock(mu_);
        return done_;
    }
    int started() {
        std::lock_guard lock(mu_);
        return started_;
    }

private:
    std::mutex mu_;
    std::condition_variable changed_;
    bool holding_ = false;
    int started_ = 0;
    std::vector<Checkpoint> done_;
};

std::uint64_t walBytes(const StoreFixture& fixture) {
    return std::filesystem::file_size(fixture.dataDir() / "forum.db-wal");
}

// A message of about one page, so that each commit adds a few WAL frames.
std::string pageOfText(int n) {
    return std::to_string(n) + std::string(3000, 'x');
}

void post(dfp::storage::ForumStore& store, int count) {
    for (int n = 0; n < count; ++n) {
        BOOST_TEST_REQUIRE(static_cast<bool>(store.postMessage("jedi", "yoda", pageOfText(n))));
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoints)

// Commits go on while a background checkpoint is held up; once it runs, it copies every
// frame written meanwhile (the writers did not checkpoint them themselves).
BOOST_AUTO_TEST_CASE(commits_do_not_wait_for_a_checkpoint_in_progress) {
    StoreFixture fixture;
    CheckpointLog log;
    auto store = fixture.open(log.hooks(20, 1'000'000));
    BOOST_TEST_REQUIRE(static_cast<bool>(store->createUser("yoda", "pw")));
    BOOST_TEST_REQUIRE(static_cast<bool>(store->createThread("jedi", "yoda")));
    log.hold();
    post(*store, 10);
    BOOST_TEST_REQUIRE(log.awaitStarted(1));
    post(*store, 200);  // all committed with the checkpoint still held
    const std::uint64_t grown = walBytes(fixture);
    BOOST_TEST(grown > 200u * 4096u);
    log.release();
    BOOST_TEST_REQUIRE(log.awaitDone(1));
    const Checkpoint first = log.done().front();
    BOOST_TEST(first.result == SQLITE_OK);  // nothing else ran: the writers were done
    BOOST_TEST(first.walFrames >= 200);     // the frames of the 200 posts, none checkpointed yet
    BOOST_TEST(first.checkpointed == first.walFrames);
    const auto view = dfp::test::readThread(*store, "jedi");
    BOOST_TEST_REQUIRE(static_cast<bool>(view));
    BOOST_TEST(view->announced == 210u);
}

// The checkpointer alone, fed WAL sizes as SQLite's WAL hook would: a checkpoint is asked for
// once `backgroundPages` frames have been appended since the last request, even while one
// runs, and a WAL that started over counts from zero.
BOOST_AUTO_TEST_CASE(asks_for_a_checkpoint_once_per_threshold_of_appended_frames) {
    std::mutex mu;
    std::condition_variable changed;
    int started = 0;
    int finished = 0;
    bool holding = true;
    dfp::storage::Checkpointer checkpointer({30, 1'000'000}, [&] {
        std::unique_lock lock(mu);
        ++started;
        changed.notify_all();
        changed.wait_for(lock, kDeadline, [&] { return !holding; });
        ++finished;
        changed.notify_all();
    });
    const auto commit = [&](int pages) {
        BOOST_TEST(dfp::storage::Checkpointer::onCommit(&checkpointer, nullptr, "main", pages) ==
                   SQLITE_OK);
    };
    const auto awaitStarted = [&](int count) {
        std::unique_lock lock(mu);
        return changed.wait_for(lock, kDeadline, [&] { return started >= count; });
    };
    const auto release = [&](int count) {  // lets checkpoints run until `count` have finished
        std::unique_lock lock(mu);
        holding = false;
        changed.notify_all();
        const bool done = changed.wait_for(lock, kDeadline, [&] { return finished >= count; });
        holding = true;
        return done;
    };

    commit(10);
    commit(29);
    BOOST_TEST(checkpointer.asked() == 0u);
    commit(30);  // 30 appended
    BOOST_TEST(checkpointer.asked() == 1u);
    BOOST_TEST_REQUIRE(awaitStarted(1));
    commit(45);
    commit(59);  // 29 since it was asked for, while it runs
    BOOST_TEST(checkpointer.asked() == 1u);
    commit(60);  // 30 since: asked again, and run after the first
    BOOST_TEST(checkpointer.asked() == 2u);
    BOOST_TEST_REQUIRE(release(2));
    commit(5);  // the WAL started over
    commit(29);
    BOOST_TEST(checkpointer.asked() == 2u);
    commit(31);
    BOOST_TEST(checkpointer.asked() == 3u);
    BOOST_TEST_REQUIRE(release(3));
    std::lock_guard lock(mu);
    BOOST_TEST(started == 3);
}

// A checkpoint that throws loses nothing but itself: the thread lives on and runs the next
// one asked for.
BOOST_AUTO_TEST_CASE(a_checkpoint_that_throws_leaves_the_next_to_run) {
    std::mutex mu;
    std::condition_variable changed;
    int calls = 0;
    dfp::storage::Checkpointer checkpointer({10, 1'000'000}, [&] {
        std::lock_guard lock(mu);
        ++calls;
        changed.notify_all();
        if (calls == 1) {
            throw std::runtime_error("disk I/O error");
        }
    });
    const auto awaitCalls = [&](int count) {
        std::unique_lock lock(mu);
        return changed.wait_for(lock, kDeadline, [&] { return calls >= count; });
    };
    dfp::storage::Checkpointer::onCommit(&checkpointer, nullptr, "main", 10);
    BOOST_TEST_REQUIRE(awaitCalls(1));
    dfp::storage::Checkpointer::onCommit(&checkpointer, nullptr, "main", 20);
    BOOST_TEST(awaitCalls(2));
    BOOST_TEST(checkpointer.asked() == 2u);
}

// With no background checkpoint ever asked for, the writer that takes the WAL to the inline
// limit checkpoints it, and the WAL file starts over instead of growing.
BOOST_AUTO_TEST_CASE(a_writer_checkpoints_itself_at_the_inline_limit) {
    StoreFixture fixture;
    CheckpointLog log;
    constexpr int kInline = 40;
    auto store = fixture.open(log.hooks(1'000'000, kInline));
    BOOST_TEST_REQUIRE(static_cast<bool>(store->createUser("yoda", "pw")));
    BOOST_TEST_REQUIRE(static_cast<bool>(store->createThread("jedi", "yoda")));
    post(*store, 300);
    // 300 posts write well over 300 frames; the WAL never held more than the limit and the
    // last commit's frames (a frame is a page and a 24-byte header, after a 32-byte header).
    BOOST_TEST(walBytes(fixture) < 32u + (kInline + 20u) * (4096u + 24u));
    BOOST_TEST(log.started() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
