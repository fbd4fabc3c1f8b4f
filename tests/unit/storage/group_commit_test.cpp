// Group commit (docs/storage.md): concurrent writes share one transaction and one COMMIT, and
// each caller hears of its write only once that COMMIT has succeeded. A BatchGate holds a
// running batch (a lone first write, which runs on its caller's thread) until a known list of
// writes has queued behind it, so the next batch, the writer thread's, is known to hold
// exactly those writes, in that order.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "storage/sqlite_forum_store.h"
#include "support/storage_fixture.h"

using dfp::storage::describe;
using dfp::storage::Durability;
using dfp::storage::MessageNumber;
using PostedMessage = dfp::storage::ForumStore::PostedMessage;
using dfp::storage::StoreError;
using dfp::test::outcome;
using dfp::test::StoreFixture;

namespace {

constexpr auto kDeadline = std::chrono::seconds(30);

// The store's test hooks, wired to record every batch and every real COMMIT (SQLite's commit
// hook), to hold a running batch on demand, and to fail commits or writes on demand.
class BatchGate {
public:
    dfp::storage::StoreTestHooks hooks() {
        dfp::storage::StoreTestHooks hooks;
        hooks.queued = [this](std::size_t waiting) {
            std::lock_guard lock(mu_);
            waiting_ = waiting;
            changed_.notify_all();
        };
        hooks.beforeBatch = [this](std::size_t size) {
            std::unique_lock lock(mu_);
            batches_.push_back(size);
            if (hold_) {
                hold_ = false;
                held_ = true;
                ++timesHeld_;
                waiting_ = 0;  // this batch took the whole queue
                changed_.notify_all();
                changed_.wait_for(lock, kDeadline, [&] { return released_; });
                held_ = false;
                released_ = false;  // a later hold waits for a release of its own
            }
        };
        hooks.closing = [this] {
            std::lock_guard lock(mu_);
            closing_ = true;
            changed_.notify_all();
        };
        hooks.failCommit = [this] {
            std::lock_guard lock(mu_);
            ++commits_;
            return failCommits_;
        };
        hooks.afterWriteBody = [this] {
            std::lock_guard lock(mu_);
            if (bodies_++ == throwAtBody_) {
                throw std::runtime_error("injected failure");
            }
        };
        return hooks;
    }

    // Forgets what setup did.
    void reset() {
        std::lock_guard lock(mu_);
        batches_.clear();
        commits_ = 0;
        bodies_ = 0;
    }
    // The next batch waits in beforeBatch until release().
    void holdNextBatch() {
        std::lock_guard lock(mu_);
        hold_ = true;
        released_ = false;
    }
    bool waitUntilHeld() {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, kDeadline, [&] { return held_; });
    }
    // True once the n-th held batch (counting from the gate's start) is being held.
    bool waitUntilHeldTimes(int n) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, kDeadline, [&] { return held_ && timesHeld_ >= n; });
    }
    // True once the store's destructor has told its writer thread to stop.
    bool waitUntilClosing() {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, kDeadline, [&] { return closing_; });
    }
    // True once n writes wait behind the held batch.
    bool waitForWaiting(std::size_t n) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, kDeadline, [&] { return waiting_ >= n; });
    }
    void release() {
        std::lock_guard lock(mu_);
        released_ = true;
        changed_.notify_all();
    }
    void failCommits(bool fail) {
        std::lock_guard lock(mu_);
        failCommits_ = fail;
    }
    // The k-th body run after reset() (0-based) throws, once.
    void throwAtBody(int k) {
        std::lock_guard lock(mu_);
        throwAtBody_ = k;
    }
    std::vector<std::size_t> batches() {
        std::lock_guard lock(mu_);
        return batches_;
    }
    int commits() {
        std::lock_guard lock(mu_);
        return commits_;
    }

private:
    std::mutex mu_;
    std::condition_variable changed_;
    std::size_t waiting_ = 0;           // guarded by mu_
    bool hold_ = false;                 // guarded by mu_
    bool held_ = false;                 // guarded by mu_
    bool released_ = false;             // guarded by mu_
    int timesHeld_ = 0;                 // guarded by mu_
    bool closing_ = false;              // guarded by mu_
    bool failCommits_ = false;          // guarded by mu_
    int throwAtBody_ = -1;              // guarded by mu_
    int bodies_ = 0;                    // guarded by mu_
    int commits_ = 0;                   // guarded by mu_
    std::vector<std::size_t> batches_;  // guarded by mu_
};

// A store with the gate's hooks, the user Yoda and Yoda's thread Topic: where most cases start.
struct TopicStore {
    TopicStore() {
        BOOST_REQUIRE(store->createUser("Yoda", "pw"));
        BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    }
    StoreFixture fixture;
    BatchGate gate;
    std::unique_ptr<dfp::storage::ForumStore> store = fixture.open(gate.hooks());
};

// Writers on their own threads, each recording its outcome as text ("ok", "ok 7" for a message
// number, an error's description, or "exception: <what>"). Joins them however the test ends.
class Writers {
public:
    explicit Writers(std::size_t capacity) : outcomes_(capacity) {}
    ~Writers() { join(); }
    Writers(const Writers&) = delete;
    Writers& operator=(const Writers&) = delete;

    void start(std::function<std::string()> write) {
        const std::size_t slot = threads_.size();
        BOOST_REQUIRE_LT(slot, outcomes_.size());
        threads_.emplace_back([this, slot, write = std::move(write)] {
            try {
                outcomes_[slot] = write();
            } catch (const std::exception& e) {
                outcomes_[slot] = std::string("exception: ") + e.what();
            }
        });
    }
    void join() {
        for (auto& thread : threads_) {
            if (thread.joinable()) {
                thread.join();
            }
        }
    }
    // After join().
    const std::string& outcome(std::size_t k) const { return outcomes_.at(k); }

private:
    std::vector<std::string> outcomes_;  // one slot per writer, written only by its thread
    std::vector<std::thread> threads_;
};

std::string posted(const dfp::storage::StoreResult<MessageNumber>& number) {
    return number ? "ok " + std::to_string(*number) : outcome(number);
}

// Starts the writers one after another while the gate holds a batch whose one write is
// `lead`, so that they form the next batch in this order; then lets it all run.
void runAsOneBatch(BatchGate& gate, Writers& writers, std::function<std::string()> lead,
                   const std::vector<std::function<std::string()>>& batch) {
    gate.holdNextBatch();
    writers.start(std::move(lead));
    BOOST_REQUIRE(gate.waitUntilHeld());
    for (std::size_t k = 0; k < batch.size(); ++k) {
        writers.start(batch[k]);
        BOOST_REQUIRE(gate.waitForWaiting(k + 1));
    }
    gate.release();
    writers.join();
}

std::vector<std::string> texts(dfp::storage::ForumStore& store, const std::string& title) {
    auto view = dfp::test::readThread(store, title);
    BOOST_REQUIRE(view);
    std::vector<std::string> shown;
    for (const auto& entry : view->entries) {
        shown.push_back(std::to_string(entry.number) + " " + entry.text);
    }
    return shown;
}

// The outcomes of writes queued with postMessageLater, as text like posted() gives ("ok 7",
// an error's description, "exception: <what>"), recorded by their callbacks on whatever
// thread runs them; how often each callback ran, and on which thread it ran last.
class LaterOutcomes {
public:
    dfp::storage::ForumStore::PostedCallback callback(std::size_t slot) {
        return [this, slot](const dfp::storage::StoreResult<PostedMessage>* result,
                            std::exception_ptr error) {
            std::string text;
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    text = std::string("exception: ") + e.what();
                }
            } else if (*result) {
                text = "ok " + std::to_string((*result)->number);
            } else {
                text = describe(result->error());
            }
            std::lock_guard lock(mu_);
            outcomes_[slot] = text;
            threads_[slot] = std::this_thread::get_id();
            ++calls_[slot];
            ++total_;
            done_.notify_all();
        };
    }
    bool waitFor(int n) {
        std::unique_lock lock(mu_);
        return done_.wait_for(lock, kDeadline, [&] { return total_ >= n; });
    }
    std::string outcome(std::size_t slot) {
        std::lock_guard lock(mu_);
        return outcomes_[slot];
    }
    int calls(std::size_t slot) {
        std::lock_guard lock(mu_);
        return calls_[slot];
    }
    int total() {
        std::lock_guard lock(mu_);
        return total_;
    }
    std::thread::id thread(std::size_t slot) {
        std::lock_guard lock(mu_);
        return threads_[slot];
    }

private:
    std::mutex mu_;
    std::condition_variable done_;
    std::map<std::size_t, std::string> outcomes_;     // guarded by mu_
    std::map<std::size_t, int> calls_;                // guarded by mu_
    std::map<std::size_t, std::thread::id> threads_;  // guarded by mu_
    int total_ = 0;                                   // guarded by mu_
};

}  // namespace

BOOST_AUTO_TEST_SUITE(group_commit)

// At both durability levels: every acknowledged message is stored once, under the number its
// poster was given; numbers in each thread run 1, 2, 3... and rise in posting order.
BOOST_AUTO_TEST_CASE(concurrent_posts_are_each_stored_once_under_the_number_acknowledged) {
    for (const Durability durability : {Durability::Normal, Durability::Full}) {
        BOOST_TEST_CONTEXT("durability " << (durability == Durability::Full ? "full" : "normal")) {
            StoreFixture fixture;
            BatchGate gate;
            auto options = fixture.options();
            options.durability = durability;
            auto store = dfp::storage::openSqliteForumStore(options, gate.hooks());
            constexpr int kPosters = 32;
            constexpr int kPosts = 25;
            constexpr int kThreads = 4;
            BOOST_REQUIRE(store->createUser("Yoda", "pw"));
            for (int t = 0; t < kThreads; ++t) {
                BOOST_REQUIRE(store->createThread("T" + std::to_string(t), "Yoda"));
            }
            gate.reset();
            // numbers[i][j]: what poster i was told for its j-th message
            std::vector<std::vector<MessageNumber>> numbers(kPosters);
            {
                Writers writers(kPosters);
                for (int i = 0; i < kPosters; ++i) {
                    writers.start([&, i] {
                        const std::string title = "T" + std::to_string(i % kThreads);
                        for (int j = 0; j < kPosts; ++j) {
                            auto number = store->postMessage(
                                title, "Yoda", std::to_string(i) + "/" + std::to_string(j));
                            if (!number) {
                                return outcome(number);
                            }
                            numbers[static_cast<std::size_t>(i)].push_back(*number);
                        }
                        return std::string("ok");
                    });
                }
                writers.join();
                for (std::size_t i = 0; i < kPosters; ++i) {
                    BOOST_CHECK_EQUAL(writers.outcome(i), "ok");
                }
            }
            for (int t = 0; t < kThreads; ++t) {
                // What each poster of this thread was told, as "<number> <text>", sorted by
                // number, is exactly what the thread shows.
                std::map<MessageNumber, std::string> acknowledged;
                for (int i = t; i < kPosters; i += kThreads) {
                    const auto& mine = numbers[static_cast<std::size_t>(i)];
                    BOOST_CHECK(std::is_sorted(mine.begin(), mine.end()));
                    for (std::size_t j = 0; j < mine.size(); ++j) {
                        const bool fresh =
                            acknowledged
                                .emplace(mine[j], std::to_string(mine[j]) + " " +
                                                      std::to_string(i) + "/" + std::to_string(j))
                                .second;
                        BOOST_CHECK(fresh);
                    }
                }
                std::vector<std::string> expected;
                MessageNumber next = 1;
                for (const auto& [number, line] : acknowledged) {
                    BOOST_CHECK_EQUAL(number, next++);
                    expected.push_back(line);
                }
                BOOST_CHECK_EQUAL(expected.size(),
                                  static_cast<std::size_t>(kPosters / kThreads * kPosts));
                const auto shown = texts(*store, "T" + std::to_string(t));
                BOOST_CHECK_EQUAL_COLLECTIONS(shown.begin(), shown.end(), expected.begin(),
                                              expected.end());
            }
            // Never more commits than writes; how many fewer depends on the scheduler.
            BOOST_CHECK_LE(gate.commits(), kPosters * kPosts);
        }
    }
}

// Twenty writes queued behind a held one go in one transaction: two commits for 21 posts.
BOOST_FIXTURE_TEST_CASE(writes_queued_behind_a_transaction_share_the_next_commit, TopicStore) {
    gate.reset();
    constexpr std::size_t kQueued = 20;
    std::vector<std::function<std::string()>> batch;
    for (std::size_t k = 0; k < kQueued; ++k) {
        batch.push_back([&, k] {
            return posted(store->postMessage("Topic", "Yoda", "q" + std::to_string(k)));
        });
    }
    Writers writers(kQueued + 1);
    runAsOneBatch(
        gate, writers, [&] { return posted(store->postMessage("Topic", "Yoda", "lead")); }, batch);

    BOOST_CHECK_EQUAL(writers.outcome(0), "ok 1");
    std::vector<std::string> expected{"1 lead"};
    for (std::size_t k = 0; k < kQueued; ++k) {
        // Queue order is commit order.
        BOOST_CHECK_EQUAL(writers.outcome(k + 1), "ok " + std::to_string(k + 2));
        expected.push_back(std::to_string(k + 2) + " q" + std::to_string(k));
    }
    const auto shown = texts(*store, "Topic");
    BOOST_CHECK_EQUAL_COLLECTIONS(shown.begin(), shown.end(), expected.begin(), expected.end());
    const std::vector<std::size_t> batches{1, kQueued};
    const auto seen = gate.batches();
    BOOST_CHECK_EQUAL_COLLECTIONS(seen.begin(), seen.end(), batches.begin(), batches.end());
    BOOST_CHECK_EQUAL(gate.commits(), 2);
}

// A lone writer does not wait for company: its batch is itself, committed at once.
BOOST_FIXTURE_TEST_CASE(a_lone_write_commits_alone, TopicStore) {
    gate.reset();
    BOOST_CHECK_EQUAL(posted(store->postMessage("Topic", "Yoda", "alone")), "ok 1");
    const std::vector<std::size_t> batches{1};
    const auto seen = gate.batches();
    BOOST_CHECK_EQUAL_COLLECTIONS(seen.begin(), seen.end(), batches.begin(), batches.end());
    BOOST_CHECK_EQUAL(gate.commits(), 1);
    // A refused lone write commits nothing.
    BOOST_CHECK_EQUAL(posted(store->postMessage("Missing", "Yoda", "x")),
                      describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(gate.commits(), 1);
}

// Refusals in a batch roll back only themselves, and are decided on what the writes before
// them in the batch did.
BOOST_AUTO_TEST_CASE(a_refused_write_does_not_undo_its_batch_mates) {
    StoreFixture fixture;
    BatchGate gate;
    auto store = fixture.open(gate.hooks());
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createUser("Luke", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    gate.reset();
    Writers writers(9);
    runAsOneBatch(gate, writers,
                  [&] { return posted(store->postMessage("Topic", "Yoda", "lead")); },
                  {
                      [&] { return posted(store->postMessage("Topic", "Yoda", "a")); },
                      [&] { return posted(store->postMessage("Missing", "Yoda", "lost")); },
                      // Refused for its author: it keeps no number, so "b" below is 3.
                      [&] { return posted(store->postMessage("Topic", "Nobody", "ghost")); },
                      [&] { return outcome(store->deleteMessage("Topic", 2, "Luke")); },
                      [&] { return outcome(store->createThread("Topic", "Luke")); },
                      [&] { return outcome(store->createThread("New", "Luke")); },
                      [&] { return outcome(store->createThread("New", "Yoda")); },
                      [&] { return posted(store->postMessage("Topic", "Luke", "b")); },
                  });
    BOOST_CHECK_EQUAL(writers.outcome(0), "ok 1");
    BOOST_CHECK_EQUAL(writers.outcome(1), "ok 2");
    BOOST_CHECK_EQUAL(writers.outcome(2), describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(writers.outcome(3), describe(StoreError::UserNotFound));
    BOOST_CHECK_EQUAL(writers.outcome(4), describe(StoreError::NotAuthor));
    BOOST_CHECK_EQUAL(writers.outcome(5), describe(StoreError::AlreadyExists));
    BOOST_CHECK_EQUAL(writers.outcome(6), "ok");
    BOOST_CHECK_EQUAL(writers.outcome(7), describe(StoreError::AlreadyExists));
    BOOST_CHECK_EQUAL(writers.outcome(8), "ok 3");
    const auto shown = texts(*store, "Topic");
    const std::vector<std::string> expected{"1 lead", "2 a", "3 b"};
    BOOST_CHECK_EQUAL_COLLECTIONS(shown.begin(), shown.end(), expected.begin(), expected.end());
    const auto list = dfp::test::listThreads(*store);
    BOOST_REQUIRE_EQUAL(list.threads.size(), 2u);
    BOOST_CHECK_EQUAL(list.threads[1].title, "New");
    BOOST_CHECK_EQUAL(list.threads[1].creator, "Luke");
    const std::vector<std::size_t> batches{1, 8};
    const auto seen = gate.batches();
    BOOST_CHECK_EQUAL_COLLECTIONS(seen.begin(), seen.end(), batches.begin(), batches.end());
    BOOST_CHECK_EQUAL(gate.commits(), 2);
}

// A write that throws after its statements ran gets the exception; its changes (the message
// and the bump of the thread's counter) are undone, so its batch-mates' numbers leave no gap.
BOOST_FIXTURE_TEST_CASE(an_exception_in_a_write_reaches_its_caller_and_the_others_commit,
                        TopicStore) {
    gate.reset();
    gate.throwAtBody(2);  // the lead is body 0: "throws" is the second of the batch
    Writers writers(4);
    runAsOneBatch(gate, writers,
                  [&] { return posted(store->postMessage("Topic", "Yoda", "lead")); },
                  {
                      [&] { return posted(store->postMessage("Topic", "Yoda", "a")); },
                      [&] { return posted(store->postMessage("Topic", "Yoda", "throws")); },
                      [&] { return posted(store->postMessage("Topic", "Yoda", "b")); },
                  });
    BOOST_CHECK_EQUAL(writers.outcome(0), "ok 1");
    BOOST_CHECK_EQUAL(writers.outcome(1), "ok 2");
    BOOST_CHECK_EQUAL(writers.outcome(2), "exception: injected failure");
    BOOST_CHECK_EQUAL(writers.outcome(3), "ok 3");
    const auto shown = texts(*store, "Topic");
    const std::vector<std::string> expected{"1 lead", "2 a", "3 b"};
    BOOST_CHECK_EQUAL_COLLECTIONS(shown.begin(), shown.end(), expected.begin(), expected.end());
    BOOST_CHECK_EQUAL(gate.commits(), 2);
}

// A database that cannot grow: a write too big for it fails with StorageFull, whether SQLite
// ends the whole transaction for it or only the statement; its batch-mates are stored.
BOOST_AUTO_TEST_CASE(a_write_that_fills_the_database_fails_alone) {
    StoreFixture fixture;
    {
        auto store = fixture.open();
        BOOST_REQUIRE(store->createUser("Yoda", "pw"));
        BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    }
    std::int64_t pages = 0;
    {
        SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READONLY);
        pages = db.execAndGet("PRAGMA page_count").getInt64();
    }
    BatchGate gate;
    auto hooks = gate.hooks();
    hooks.maxPageCount = pages + 8;
    auto store = fixture.open(hooks);
    const std::string huge(200 * 1024, 'x');
    Writers writers(4);
    runAsOneBatch(gate, writers,
                  [&] { return posted(store->postMessage("Topic", "Yoda", "lead")); },
                  {
                      [&] { return posted(store->postMessage("Topic", "Yoda", "a")); },
                      [&] { return posted(store->postMessage("Topic", "Yoda", huge)); },
                      [&] { return posted(store->postMessage("Topic", "Yoda", "b")); },
                  });
    BOOST_CHECK_EQUAL(writers.outcome(0), "ok 1");
    BOOST_CHECK_EQUAL(writers.outcome(1), "ok 2");
    BOOST_CHECK_EQUAL(writers.outcome(2), describe(StoreError::StorageFull));
    BOOST_CHECK_EQUAL(writers.outcome(3), "ok 3");
    const auto shown = texts(*store, "Topic");
    const std::vector<std::string> expected{"1 lead", "2 a", "3 b"};
    BOOST_CHECK_EQUAL_COLLECTIONS(shown.begin(), shown.end(), expected.begin(), expected.end());
}

// A COMMIT that fails (SQLite's commit hook refuses it, as an I/O error would) fails every
// write of its batch, uploads included, and leaves no trace: no row, no blob, no temp file.
BOOST_FIXTURE_TEST_CASE(a_failing_commit_reaches_every_writer_and_leaves_nothing, TopicStore) {
    BOOST_REQUIRE(store->postMessage("Topic", "Yoda", "before"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "old.txt", "Yoda", "old"));
    const auto before = dfp::test::diskState(fixture);
    gate.reset();
    gate.failCommits(true);
    Writers writers(6);
    // The lead is refused, so its batch commits nothing and the failure falls on the next.
    runAsOneBatch(
        gate, writers, [&] { return posted(store->postMessage("Missing", "Yoda", "lead")); },
        {
            [&] { return posted(store->postMessage("Topic", "Yoda", "a")); },
            [&] { return outcome(store->createThread("New", "Yoda")); },
            [&] {
                return outcome(dfp::test::uploadFile(*store, "Topic", "new.txt", "Yoda", "new"));
            },
            [&] { return outcome(store->removeFile("Topic", "old.txt", "Yoda")); },
            [&] { return posted(store->postMessage("Missing", "Yoda", "refused")); },
        });
    BOOST_CHECK_EQUAL(writers.outcome(0), describe(StoreError::ThreadNotFound));
    for (std::size_t k = 1; k <= 5; ++k) {
        BOOST_CHECK_EQUAL(writers.outcome(k).rfind("exception: ", 0), 0u);
    }
    BOOST_CHECK_EQUAL(gate.commits(), 1);
    dfp::test::checkUnchanged(before, fixture);
    // The store goes on: the next write commits, under the number the failed one had.
    gate.failCommits(false);
    BOOST_CHECK_EQUAL(posted(store->postMessage("Topic", "Yoda", "after")), "ok 2");
    auto reader = store->openFile("Topic", "old.txt");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "old");
}

// Blobs follow their rows through a batch: a removal unlinks only after the COMMIT, an upload
// whose thread a batch-mate removed is refused and its blob goes, and what is left in files/
// is exactly what the rows name.
BOOST_FIXTURE_TEST_CASE(uploads_and_removals_in_one_batch_leave_exactly_the_named_blobs,
                        TopicStore) {
    BOOST_REQUIRE(store->createThread("Other", "Yoda"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "old.txt", "Yoda", "old"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Other", "other.txt", "Yoda", "other"));
    BOOST_REQUIRE_EQUAL(dfp::test::directoryEntries(fixture.filesDir()).size(), 2u);
    gate.reset();
    auto upload = [&](const char* title, const char* name) {
        return [this, title, name] {
            return outcome(dfp::test::uploadFile(*store, title, name, "Yoda", name));
        };
    };
    Writers writers(6);
    runAsOneBatch(gate, writers,
                  [&] { return posted(store->postMessage("Topic", "Yoda", "lead")); },
                  {
                      [&] { return outcome(store->removeFile("Topic", "old.txt", "Yoda")); },
                      upload("Topic", "new.txt"),
                      upload("Other", "late.txt"),
                      [&] { return outcome(store->removeThread("Other", "Yoda")); },
                      upload("Other", "too-late.txt"),
                  });
    BOOST_CHECK_EQUAL(writers.outcome(0), "ok 1");
    BOOST_CHECK_EQUAL(writers.outcome(1), "ok");
    BOOST_CHECK_EQUAL(writers.outcome(2), "ok");
    BOOST_CHECK_EQUAL(writers.outcome(3), "ok");
    BOOST_CHECK_EQUAL(writers.outcome(4), "ok");
    BOOST_CHECK_EQUAL(writers.outcome(5), describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(gate.commits(), 2);
    auto files = store->listFiles("Topic");
    BOOST_REQUIRE(files);
    BOOST_REQUIRE_EQUAL(files->size(), 1u);
    BOOST_CHECK_EQUAL(files->front().name, "new.txt");
    auto reader = store->openFile("Topic", "new.txt");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "new.txt");
    // One blob (new.txt's): old.txt's, other.txt's and late.txt's went with their rows, and
    // too-late.txt's with its refusal.
    BOOST_CHECK_EQUAL(dfp::test::directoryEntries(fixture.filesDir()).size(), 1u);
    BOOST_CHECK(dfp::test::directoryEntries(fixture.tmpDir()).empty());
    BOOST_CHECK_EQUAL(outcome(store->listFiles("Other")), describe(StoreError::ThreadNotFound));
}

// A write queued without waiting gets its outcome once, after its COMMIT: the number, the
// refusal, or the exception of a COMMIT that failed (and then nothing of it is stored).
BOOST_FIXTURE_TEST_CASE(a_write_queued_without_waiting_hears_of_its_commit_once, TopicStore) {
    LaterOutcomes later;
    store->postMessageLater("Topic", "Yoda", "first", later.callback(0));
    store->postMessageLater("Missing", "Yoda", "lost", later.callback(1));
    // Queued writes go to the writer thread: these two must be done before commits fail.
    BOOST_REQUIRE(later.waitFor(2));
    gate.failCommits(true);
    store->postMessageLater("Topic", "Yoda", "failed", later.callback(2));
    BOOST_REQUIRE(later.waitFor(3));
    gate.failCommits(false);
    BOOST_CHECK_EQUAL(later.outcome(0), "ok 1");
    BOOST_CHECK_EQUAL(later.outcome(1), describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(later.outcome(2).rfind("exception: ", 0), 0u);
    for (std::size_t k = 0; k < 3; ++k) {
        BOOST_CHECK_EQUAL(later.calls(k), 1);
    }
    const auto shown = texts(*store, "Topic");
    const std::vector<std::string> expected{"1 first"};
    BOOST_CHECK_EQUAL_COLLECTIONS(shown.begin(), shown.end(), expected.begin(), expected.end());
}

// A write queued without waiting goes to the writer thread even when nothing else is queued
// or running: its caller (a server worker) goes back to its other sessions at once instead
// of committing it itself.
BOOST_FIXTURE_TEST_CASE(a_write_queued_without_waiting_never_runs_on_its_callers_thread,
                        TopicStore) {
    LaterOutcomes later;
    store->postMessageLater("Topic", "Yoda", "alone", later.callback(0));
    BOOST_REQUIRE(later.waitFor(1));
    BOOST_CHECK_EQUAL(later.outcome(0), "ok 1");
    BOOST_CHECK(later.thread(0) != std::this_thread::get_id());
}

// Writes queued without waiting behind a running batch share the next one, in queue order,
// with waiting writers among them.
BOOST_FIXTURE_TEST_CASE(writes_queued_without_waiting_share_a_commit_in_queue_order, TopicStore) {
    gate.reset();
    LaterOutcomes later;
    Writers writers(2);
    gate.holdNextBatch();
    writers.start([&] { return posted(store->postMessage("Topic", "Yoda", "lead")); });
    BOOST_REQUIRE(gate.waitUntilHeld());
    constexpr std::size_t kLater = 10;
    for (std::size_t k = 0; k < kLater; ++k) {
        store->postMessageLater("Topic", "Yoda", "q" + std::to_string(k), later.callback(k));
        BOOST_REQUIRE(gate.waitForWaiting(k + 1));
    }
    writers.start([&] { return posted(store->postMessage("Topic", "Yoda", "waiting")); });
    BOOST_REQUIRE(gate.waitForWaiting(kLater + 1));
    gate.release();
    writers.join();
    BOOST_REQUIRE(later.waitFor(static_cast<int>(kLater)));

    BOOST_CHECK_EQUAL(writers.outcome(0), "ok 1");
    std::vector<std::string> expected{"1 lead"};
    for (std::size_t k = 0; k < kLater; ++k) {
        BOOST_CHECK_EQUAL(later.outcome(k), "ok " + std::to_string(k + 2));
        expected.push_back(std::to_string(k + 2) + " q" + std::to_string(k));
    }
    BOOST_CHECK_EQUAL(writers.outcome(1), "ok " + std::to_string(kLater + 2));
    expected.push_back(std::to_string(kLater + 2) + " waiting");
    const auto shown = texts(*store, "Topic");
    BOOST_CHECK_EQUAL_COLLECTIONS(shown.begin(), shown.end(), expected.begin(), expected.end());
    const std::vector<std::size_t> batches{1, kLater + 1};
    const auto seen = gate.batches();
    BOOST_CHECK_EQUAL_COLLECTIONS(seen.begin(), seen.end(), batches.begin(), batches.end());
    BOOST_CHECK_EQUAL(gate.commits(), 2);
}

// Closing the store finishes what is queued first: writes still queued when the destructor
// tells the writer thread to stop are run, and their callbacks called, before it returns.
// The writer thread's batch is held until the destructor has begun, so two writes are
// certainly still in the queue then.
BOOST_FIXTURE_TEST_CASE(closing_the_store_finishes_every_write_queued_without_waiting, TopicStore) {
    LaterOutcomes later;
    Writers writers(1);
    gate.holdNextBatch();
    writers.start([&] { return posted(store->postMessage("Topic", "Yoda", "lead")); });
    BOOST_REQUIRE(gate.waitUntilHeld());  // the lone write, on its caller's thread
    store->postMessageLater("Topic", "Yoda", "a", later.callback(0));
    BOOST_REQUIRE(gate.waitForWaiting(1));
    gate.holdNextBatch();  // the writer thread's batch, [a], is held in its turn
    gate.release();
    BOOST_REQUIRE(gate.waitUntilHeldTimes(2));
    writers.join();
    store->postMessageLater("Topic", "Yoda", "b", later.callback(1));
    store->postMessageLater("Topic", "Yoda", "c", later.callback(2));
    BOOST_REQUIRE(gate.waitForWaiting(2));
    std::thread closer([&] { store.reset(); });
    const bool closing = gate.waitUntilClosing();
    gate.release();
    closer.join();
    BOOST_REQUIRE(closing);
    BOOST_CHECK_EQUAL(writers.outcome(0), "ok 1");
    BOOST_CHECK_EQUAL(later.total(), 3);
    BOOST_CHECK_EQUAL(later.outcome(0), "ok 2");
    BOOST_CHECK_EQUAL(later.outcome(1), "ok 3");
    BOOST_CHECK_EQUAL(later.outcome(2), "ok 4");
    auto reopened = fixture.open();
    const auto shown = texts(*reopened, "Topic");
    const std::vector<std::string> expected{"1 lead", "2 a", "3 b", "4 c"};
    BOOST_CHECK_EQUAL_COLLECTIONS(shown.begin(), shown.end(), expected.begin(), expected.end());
}

BOOST_AUTO_TEST_SUITE_END()
