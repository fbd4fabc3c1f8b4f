#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "storage/sqlite_forum_store.h"
#include "support/storage_fixture.h"

using dfp::storage::describe;
using dfp::storage::StoreError;
using dfp::storage::ThreadEntry;
using dfp::test::outcome;
using dfp::test::StoreFixture;

BOOST_AUTO_TEST_SUITE(read_thread)

BOOST_AUTO_TEST_CASE(merges_messages_and_uploads_in_posting_order) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createUser("Luke", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    BOOST_REQUIRE(store->postMessage("Topic", "yoda", "first"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "map.png", "luke", "png"));
    BOOST_REQUIRE(store->postMessage("Topic", "LUKE", "second"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "notes.txt", "Yoda", "notes"));
    BOOST_REQUIRE(store->postMessage("Topic", "Yoda", "third"));

    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE_EQUAL(outcome(view), "ok");
    BOOST_CHECK_EQUAL(view->announced, 5u);
    BOOST_REQUIRE_EQUAL(view->entries.size(), 5u);
    const auto& e = view->entries;
    BOOST_CHECK(e[0].kind == ThreadEntry::Kind::Message);
    BOOST_CHECK_EQUAL(e[0].number, 1);
    BOOST_CHECK_EQUAL(e[0].author, "Yoda");
    BOOST_CHECK_EQUAL(e[0].text, "first");
    BOOST_CHECK(e[1].kind == ThreadEntry::Kind::Upload);
    BOOST_CHECK_EQUAL(e[1].author, "Luke");
    BOOST_CHECK_EQUAL(e[1].text, "map.png");
    BOOST_CHECK(e[2].kind == ThreadEntry::Kind::Message);
    BOOST_CHECK_EQUAL(e[2].number, 2);
    BOOST_CHECK_EQUAL(e[2].author, "Luke");
    BOOST_CHECK(e[3].kind == ThreadEntry::Kind::Upload);
    BOOST_CHECK_EQUAL(e[3].text, "notes.txt");
    BOOST_CHECK_EQUAL(e[3].author, "Yoda");
    BOOST_CHECK(e[4].kind == ThreadEntry::Kind::Message);
    BOOST_CHECK_EQUAL(e[4].number, 3);
    for (const auto& entry : e) {
        BOOST_CHECK_GT(entry.created, 0);
        BOOST_CHECK(!entry.edited);
    }
}

BOOST_AUTO_TEST_CASE(shows_an_empty_thread_as_zero_entries) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Empty", "Yoda"));
    auto view = dfp::test::readThread(*store, "Empty");
    BOOST_REQUIRE(view);
    BOOST_CHECK(view->begun);
    BOOST_CHECK_EQUAL(view->announced, 0u);
    BOOST_CHECK(view->entries.empty());
}

BOOST_AUTO_TEST_CASE(reports_an_unknown_thread_without_calling_begin) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    // readThread (the helper) checks begin was not called on failure.
    BOOST_CHECK_EQUAL(outcome(dfp::test::readThread(*store, "topic")),
                      describe(StoreError::ThreadNotFound));
}

BOOST_AUTO_TEST_CASE(reads_a_long_thread_in_order_with_a_matching_count) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Long", "Yoda"));
    BOOST_REQUIRE(store->createThread("Other", "Yoda"));
    constexpr int kMessages = 1500;
    for (int i = 1; i <= kMessages; ++i) {
        BOOST_REQUIRE(store->postMessage(i % 3 == 0 ? "Other" : "Long", "Yoda",
                                         "message " + std::to_string(i)));
    }
    auto view = dfp::test::readThread(*store, "Long");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 1000u);
    BOOST_REQUIRE_EQUAL(view->entries.size(), 1000u);
    for (std::size_t i = 0; i < view->entries.size(); ++i) {
        BOOST_CHECK_EQUAL(view->entries[i].number, static_cast<long>(i) + 1);
    }
}

// The merged query must walk the (thread_id, seq) indexes of both tables and merge them,
// not collect a big thread into a temporary b-tree to sort it.
BOOST_AUTO_TEST_CASE(merges_by_index_without_sorting_the_thread) {
    StoreFixture fixture;
    { auto store = fixture.open(); }
    SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READONLY);
    SQLite::Statement plan(db,
                           std::string("EXPLAIN QUERY PLAN ") + dfp::storage::kThreadEntriesSql);
    plan.bind(1, static_cast<std::int64_t>(1));
    std::string details;
    while (plan.executeStep()) {
        details += plan.getColumn(3).getString() + "\n";
    }
    BOOST_TEST_MESSAGE(details);
    BOOST_CHECK(details.find("MERGE") != std::string::npos);
    BOOST_CHECK(details.find("TEMP B-TREE") == std::string::npos);
    BOOST_CHECK(details.find("SCAN") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
