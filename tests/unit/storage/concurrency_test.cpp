#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "support/storage_fixture.h"

using dfp::storage::describe;
using dfp::storage::MessageNumber;
using dfp::storage::StoreError;
using dfp::test::outcome;
using dfp::test::StoreFixture;

namespace {

constexpr auto kDeadline = std::chrono::seconds(30);

// Runs body(i) on n threads released together; Boost.Test checks are not thread-safe, so
// bodies record results and the first exception is rethrown here, on the test's thread.
template <typename Body>
void runTogether(int n, Body body) {
    std::latch start(n);
    std::mutex mu;
    std::exception_ptr failure;  // guarded by mu
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            try {
                body(i);
            } catch (...) {
                std::lock_guard lock(mu);
                if (!failure) {
                    failure = std::current_exception();
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(sixteen_threads_posting_into_one_thread_get_every_number_once) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Busy", "Yoda"));
    constexpr int kThreads = 16;
    constexpr int kPosts = 40;
    std::vector<std::vector<MessageNumber>> numbers(kThreads);
    std::atomic<int> refused{0};
    runTogether(kThreads, [&](int i) {
        for (int j = 0; j < kPosts; ++j) {
            auto number =
                store->postMessage("Busy", "Yoda", std::to_string(i) + "/" + std::to_string(j));
            if (number) {
                numbers[static_cast<std::size_t>(i)].push_back(*number);
            } else {
                ++refused;
            }
        }
    });
    BOOST_CHECK_EQUAL(refused.load(), 0);
    std::vector<MessageNumber> all;
    for (const auto& some : numbers) {
        // Each poster sees its own numbers grow.
        BOOST_CHECK(std::is_sorted(some.begin(), some.end()));
        all.insert(all.end(), some.begin(), some.end());
    }
    std::sort(all.begin(), all.end());
    std::vector<MessageNumber> expected(kThreads * kPosts);
    for (std::size_t k = 0; k < expected.size(); ++k) {
        expected[k] = static_cast<MessageNumber>(k) + 1;
    }
    BOOST_CHECK_EQUAL_COLLECTIONS(all.begin(), all.end(), expected.begin(), expected.end());
    auto view = dfp::test::readThread(*store, "Busy");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, expected.size());
    std::vector<MessageNumber> shown;
    for (const auto& entry : view->entries) {
        shown.push_back(entry.number);
    }
    // Posting order is number order.
    BOOST_CHECK_EQUAL_COLLECTIONS(shown.begin(), shown.end(), expected.begin(), expected.end());
}

BOOST_AUTO_TEST_CASE(concurrent_registrations_of_one_name_create_one_account) {
    StoreFixture fixture;
    auto store = fixture.open();
    const std::vector<std::string> spellings{"Yoda", "yoda", "YODA", "yOdA",
                                             "YoDa", "yODA", "Yoda", "yodA"};
    std::vector<std::string> outcomes(spellings.size());
    runTogether(static_cast<int>(spellings.size()), [&](int i) {
        const auto k = static_cast<std::size_t>(i);
        outcomes[k] = outcome(store->createUser(spellings[k], "pw" + std::to_string(i)));
    });
    const auto created = std::count(outcomes.begin(), outcomes.end(), "ok");
    const auto refused = std::count(outcomes.begin(), outcomes.end(),
                                    std::string(describe(StoreError::AlreadyExists)));
    BOOST_CHECK_EQUAL(created, 1);
    BOOST_CHECK_EQUAL(refused, static_cast<long>(spellings.size()) - 1);
    const auto winner = static_cast<std::size_t>(std::find(outcomes.begin(), outcomes.end(), "ok") -
                                                 outcomes.begin());
    BOOST_REQUIRE_LT(winner, spellings.size());
    auto found = store->findUser("yoda");
    BOOST_REQUIRE(found);
    BOOST_CHECK_EQUAL(*found, spellings[winner]);
    BOOST_CHECK_EQUAL(outcome(store->verifyUser("YODA", "pw" + std::to_string(winner))), "ok");
}

// WAL: readers work from a snapshot and never wait for a writer. Another connection holds a
// write transaction open (with uncommitted rows) for the whole time the store reads; a read
// that needed the write lock would wait out the busy timeout and fail instead.
BOOST_AUTO_TEST_CASE(readers_are_not_blocked_by_a_long_write_transaction) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Old", "Yoda"));
    BOOST_REQUIRE(store->postMessage("Old", "Yoda", "committed"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Old", "a.txt", "Yoda", "aaa"));

    std::promise<void> holding;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::thread writer([&] {
        bool signalled = false;
        try {
            SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READWRITE);
            SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
            db.exec(
                "INSERT INTO threads (title, creator_id, created) VALUES ('New', 1, 0);"
                "INSERT INTO messages (thread_id, number, seq, author_id, text, created)"
                " SELECT id, next_number, next_seq, 1, 'uncommitted', 0 FROM threads"
                " WHERE title = 'Old';");
            holding.set_value();
            signalled = true;
            released.wait_for(kDeadline);
            // The transaction rolls back as it goes.
        } catch (...) {
            if (!signalled) {
                holding.set_exception(std::current_exception());
            }
        }
    });
    // Releases and joins the writer however this test ends.
    struct Join {
        std::promise<void>& release;
        std::thread& writer;
        ~Join() {
            release.set_value();
            writer.join();
        }
    } join{release, writer};

    auto held = holding.get_future();
    BOOST_REQUIRE(held.wait_for(kDeadline) == std::future_status::ready);
    held.get();

    const auto list = dfp::test::listThreads(*store);
    BOOST_CHECK_EQUAL(list.announced, 1u);
    BOOST_CHECK_EQUAL(list.threads.size(), 1u);
    auto view = dfp::test::readThread(*store, "Old");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 2u);
    BOOST_CHECK_EQUAL(view->entries.size(), 2u);
    BOOST_CHECK_EQUAL(outcome(dfp::test::readThread(*store, "New")),
                      describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(outcome(store->verifyUser("yoda", "pw")), "ok");
    auto reader = store->openFile("Old", "a.txt");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "aaa");
    auto files = store->listFiles("Old");
    BOOST_REQUIRE(files);
    BOOST_CHECK_EQUAL(files->size(), 1u);
}

BOOST_AUTO_TEST_CASE(uploads_posts_and_reads_run_side_by_side) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Shared", "Yoda"));
    constexpr int kThreads = 12;
    constexpr int kRounds = 10;
    std::atomic<int> failures{0};
    runTogether(kThreads, [&](int i) {
        for (int j = 0; j < kRounds; ++j) {
            const std::string name = "f" + std::to_string(i) + "-" + std::to_string(j);
            switch (i % 3) {
                case 0:
                    if (!dfp::test::uploadFile(*store, "Shared", name, "Yoda", name)) {
                        ++failures;
                    }
                    break;
                case 1:
                    if (!store->postMessage("Shared", "Yoda", name)) {
                        ++failures;
                    }
                    break;
                default: {
                    std::uint64_t announced = 0;
                    std::uint64_t seen = 0;
                    auto done = store->readThread(
                        "Shared", [&](std::uint64_t count) { announced = count; },
                        [&](const dfp::storage::ThreadEntry&) { ++seen; });
                    if (!done || announced != seen) {
                        ++failures;
                    }
                }
            }
        }
    });
    BOOST_CHECK_EQUAL(failures.load(), 0);
    auto view = dfp::test::readThread(*store, "Shared");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 2u * (kThreads / 3) * kRounds);
    auto files = store->listFiles("Shared");
    BOOST_REQUIRE(files);
    BOOST_CHECK_EQUAL(files->size(), static_cast<std::size_t>(kThreads / 3 * kRounds));
    for (const auto& file : *files) {
        auto reader = store->openFile("Shared", file.name);
        BOOST_REQUIRE(reader);
        BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), file.name);
    }
}

BOOST_AUTO_TEST_SUITE_END()
