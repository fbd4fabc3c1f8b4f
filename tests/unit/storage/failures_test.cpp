#include <cstdint>
#include <set>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "storage/sqlite_forum_store.h"
#include "support/storage_fixture.h"

using dfp::storage::describe;
using dfp::storage::StoreError;
using dfp::test::outcome;
using dfp::test::StoreFixture;

BOOST_AUTO_TEST_SUITE(failures)

BOOST_AUTO_TEST_CASE(describes_every_error_in_a_short_distinct_phrase) {
    BOOST_CHECK_EQUAL(describe(StoreError::ThreadNotFound), "no such thread");
    BOOST_CHECK_EQUAL(describe(StoreError::NotAuthor), "not the author of that message");
    std::set<std::string> seen;
    for (auto error :
         {StoreError::UserNotFound, StoreError::ThreadNotFound, StoreError::MessageNotFound,
          StoreError::FileNotFound, StoreError::AlreadyExists, StoreError::WrongPassword,
          StoreError::NotAuthor, StoreError::NotCreator, StoreError::NotAllowed,
          StoreError::TooLarge, StoreError::SizeMismatch, StoreError::ChecksumMismatch,
          StoreError::StorageFull}) {
        const std::string text(describe(error));
        BOOST_CHECK(!text.empty());
        BOOST_CHECK_LE(text.size(), 60u);
        BOOST_CHECK(seen.insert(text).second);
    }
}

// A database that cannot grow (max_page_count) fails its writes with SQLITE_FULL, as a full
// disk would: each refused write is StorageFull, leaves no trace, and the store goes on.
BOOST_AUTO_TEST_CASE(reports_a_full_database_and_leaves_no_trace) {
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
    dfp::storage::StoreTestHooks hooks;
    hooks.maxPageCount = pages + 4;
    auto store = fixture.open(hooks);

    const std::string text(4000, 'x');
    int posted = 0;
    bool full = false;
    for (int i = 0; i < 200 && !full; ++i) {
        const auto before = dfp::test::diskState(fixture);
        auto number = store->postMessage("Topic", "Yoda", text);
        if (number) {
            BOOST_REQUIRE_EQUAL(*number, posted + 1);
            ++posted;
            continue;
        }
        full = true;
        BOOST_CHECK_EQUAL(outcome(number), describe(StoreError::StorageFull));
        dfp::test::checkUnchanged(before, fixture);
    }
    BOOST_REQUIRE(full);
    BOOST_CHECK_GT(posted, 0);

    // Uploads fail at their commit the same way, and their blob goes.
    full = false;
    for (int i = 0; i < 500 && !full; ++i) {
        const auto before = dfp::test::diskState(fixture);
        auto stored =
            dfp::test::uploadFile(*store, "Topic", "file-" + std::to_string(i), "Yoda", "bytes");
        if (!stored) {
            full = true;
            BOOST_CHECK_EQUAL(outcome(stored), describe(StoreError::StorageFull));
            dfp::test::checkUnchanged(before, fixture);
        }
    }
    BOOST_CHECK(full);

    // Reads still work, and show every acknowledged message.
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    std::uint64_t messages = 0;
    for (const auto& entry : view->entries) {
        messages += entry.kind == dfp::storage::ThreadEntry::Kind::Message ? 1 : 0;
    }
    BOOST_CHECK_EQUAL(messages, static_cast<std::uint64_t>(posted));
    BOOST_CHECK_EQUAL(outcome(store->findUser("Yoda")), "ok");
}

BOOST_AUTO_TEST_CASE(an_upload_cannot_be_used_after_its_commit) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    auto upload = store->beginUpload("Topic", "once.txt", "Yoda", 1);
    BOOST_REQUIRE(upload);
    BOOST_REQUIRE((*upload)->write("x"));
    BOOST_REQUIRE((*upload)->commit(std::nullopt));
    BOOST_CHECK_THROW((void)(*upload)->write("y"), std::logic_error);
    BOOST_CHECK_THROW((void)(*upload)->commit(std::nullopt), std::logic_error);
    auto files = store->listFiles("Topic");
    BOOST_REQUIRE(files);
    BOOST_CHECK_EQUAL(files->size(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
