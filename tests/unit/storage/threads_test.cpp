#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "support/storage_fixture.h"

using dfp::storage::describe;
using dfp::storage::StoreError;
using dfp::test::outcome;
using dfp::test::StoreFixture;

namespace {

std::vector<std::string> titles(const dfp::test::ThreadList& list) {
    std::vector<std::string> result;
    for (const auto& thread : list.threads) {
        result.push_back(thread.title);
    }
    return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(threads)

BOOST_AUTO_TEST_CASE(lists_nothing_in_a_new_store) {
    StoreFixture fixture;
    auto store = fixture.open();
    const auto list = dfp::test::listThreads(*store);
    BOOST_CHECK_EQUAL(list.announced, 0u);
    BOOST_CHECK(list.threads.empty());
}

BOOST_AUTO_TEST_CASE(lists_threads_oldest_first_with_their_count_and_creator) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createUser("Luke", "pw"));
    BOOST_REQUIRE_EQUAL(outcome(store->createThread("zebra", "yoda")), "ok");
    BOOST_REQUIRE_EQUAL(outcome(store->createThread("apple", "LUKE")), "ok");
    BOOST_REQUIRE_EQUAL(outcome(store->createThread("mango", "Yoda")), "ok");
    const auto list = dfp::test::listThreads(*store);
    BOOST_CHECK_EQUAL(list.announced, 3u);
    const std::vector<std::string> expected{"zebra", "apple", "mango"};
    const auto got = titles(list);
    BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), expected.begin(), expected.end());
    BOOST_REQUIRE_EQUAL(list.threads.size(), 3u);
    // Creators as first registered, whatever case the call used.
    BOOST_CHECK_EQUAL(list.threads[0].creator, "Yoda");
    BOOST_CHECK_EQUAL(list.threads[1].creator, "Luke");
    BOOST_CHECK_GT(list.threads[0].created, 0);
}

BOOST_AUTO_TEST_CASE(refuses_a_duplicate_title_but_titles_are_case_sensitive) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createUser("Luke", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    const auto before = dfp::test::diskState(fixture);
    BOOST_CHECK_EQUAL(outcome(store->createThread("Topic", "Yoda")),
                      describe(StoreError::AlreadyExists));
    BOOST_CHECK_EQUAL(outcome(store->createThread("Topic", "Luke")),
                      describe(StoreError::AlreadyExists));
    dfp::test::checkUnchanged(before, fixture);
    BOOST_CHECK_EQUAL(outcome(store->createThread("topic", "Luke")), "ok");
    BOOST_CHECK_EQUAL(dfp::test::listThreads(*store).announced, 2u);
}

BOOST_AUTO_TEST_CASE(refuses_a_thread_by_an_unknown_creator) {
    StoreFixture fixture;
    auto store = fixture.open();
    const auto before = dfp::test::diskState(fixture);
    BOOST_CHECK_EQUAL(outcome(store->createThread("Topic", "Nobody")),
                      describe(StoreError::UserNotFound));
    dfp::test::checkUnchanged(before, fixture);
}

BOOST_AUTO_TEST_CASE(removes_a_thread_with_its_messages_and_files) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createUser("Luke", "pw"));
    BOOST_REQUIRE(store->createThread("Doomed", "Yoda"));
    BOOST_REQUIRE(store->createThread("Kept", "Yoda"));
    BOOST_REQUIRE(store->postMessage("Doomed", "Luke", "first"));
    BOOST_REQUIRE(store->postMessage("Kept", "Luke", "stays"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Doomed", "a.txt", "Luke", "aaa"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Doomed", "b.txt", "Yoda", "bbb"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Kept", "c.txt", "Yoda", "ccc"));
    BOOST_REQUIRE_EQUAL(dfp::test::directoryEntries(fixture.filesDir()).size(), 3u);

    BOOST_CHECK_EQUAL(outcome(store->removeThread("Doomed", "YODA")), "ok");

    BOOST_CHECK_EQUAL(outcome(dfp::test::readThread(*store, "Doomed")),
                      describe(StoreError::ThreadNotFound));
    const auto list = dfp::test::listThreads(*store);
    BOOST_CHECK_EQUAL(list.announced, 1u);
    BOOST_REQUIRE_EQUAL(list.threads.size(), 1u);
    BOOST_CHECK_EQUAL(list.threads[0].title, "Kept");
    // Its blobs are unlinked; the other thread's blob and message stay.
    BOOST_CHECK_EQUAL(dfp::test::directoryEntries(fixture.filesDir()).size(), 1u);
    auto kept = dfp::test::readThread(*store, "Kept");
    BOOST_REQUIRE(kept);
    BOOST_CHECK_EQUAL(kept->announced, 2u);
    auto reader = store->openFile("Kept", "c.txt");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "ccc");
    // No orphaned rows either (the cascade).
    SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READONLY);
    BOOST_CHECK_EQUAL(db.execAndGet("SELECT COUNT(*) FROM messages").getInt(), 1);
    BOOST_CHECK_EQUAL(db.execAndGet("SELECT COUNT(*) FROM files").getInt(), 1);
}

BOOST_AUTO_TEST_CASE(refuses_removal_by_anyone_but_the_creator) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createUser("Luke", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    BOOST_REQUIRE(store->postMessage("Topic", "Luke", "mine"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "a.txt", "Luke", "aaa"));
    const auto before = dfp::test::diskState(fixture);
    BOOST_CHECK_EQUAL(outcome(store->removeThread("Topic", "Luke")),
                      describe(StoreError::NotCreator));
    BOOST_CHECK_EQUAL(outcome(store->removeThread("Topic", "Nobody")),
                      describe(StoreError::NotCreator));
    dfp::test::checkUnchanged(before, fixture);
}

BOOST_AUTO_TEST_CASE(refuses_removal_of_an_unknown_thread) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    const auto before = dfp::test::diskState(fixture);
    BOOST_CHECK_EQUAL(outcome(store->removeThread("topic", "Yoda")),
                      describe(StoreError::ThreadNotFound));
    dfp::test::checkUnchanged(before, fixture);
}

BOOST_AUTO_TEST_CASE(a_thread_created_again_after_removal_starts_empty_at_number_one) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    for (int i = 0; i < 3; ++i) {
        BOOST_REQUIRE(store->postMessage("Topic", "Yoda", "old"));
    }
    BOOST_REQUIRE(store->removeThread("Topic", "Yoda"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 0u);
    auto number = store->postMessage("Topic", "Yoda", "new");
    BOOST_REQUIRE(number);
    BOOST_CHECK_EQUAL(*number, 1);
}

BOOST_AUTO_TEST_SUITE_END()
