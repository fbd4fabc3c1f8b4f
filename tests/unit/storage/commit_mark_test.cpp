// commitMark (forum_store.h): the same while nothing is committed, whatever is read; new after
// every commit, by this store or by another process's connection. The reply cache serves RDT
// and LST without a read transaction on exactly this (server/reply_cache.h).

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "support/storage_fixture.h"

using dfp::storage::CommitMark;
using dfp::storage::ForumStore;
using dfp::test::execElsewhere;
using dfp::test::openWithOneMessage;
using dfp::test::StoreFixture;

namespace {

CommitMark markOf(ForumStore& store) {
    const auto mark = store.commitMark();
    BOOST_TEST_REQUIRE(mark.has_value(), "no commit mark: is the -shm layout still SQLite's?");
    return *mark;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(commit_mark, StoreFixture)

BOOST_AUTO_TEST_CASE(reads_leave_it_as_it_is) {
    auto store = openWithOneMessage(*this);
    const CommitMark before = markOf(*store);

    BOOST_REQUIRE(store->threadVersion("jedi"));
    (void)store->threadListVersion();
    BOOST_REQUIRE(store->readThread(
        "jedi", [](std::uint64_t) {}, [](const auto&) {}));
    store->listThreads([](std::uint64_t) {}, [](const auto&) {});
    BOOST_REQUIRE(store->verifyUser("yoda", "pw"));
    BOOST_TEST((markOf(*store) == before));
}

BOOST_AUTO_TEST_CASE(every_commit_gives_a_mark_never_seen_before) {
    auto store = open();
    std::vector<CommitMark> seen{markOf(*store)};
    auto expectNew = [&](const char* what) {
        const CommitMark now = markOf(*store);
        BOOST_TEST((std::find(seen.begin(), seen.end(), now) == seen.end()),
                   what << " left a mark seen before");
        seen.push_back(now);
    };
    BOOST_REQUIRE(store->createUser("yoda", "pw"));
    expectNew("registration");
    BOOST_REQUIRE(store->createThread("jedi", "yoda"));
    expectNew("CRT");
    BOOST_REQUIRE(store->postMessage("jedi", "yoda", "one"));
    expectNew("MSG");
    BOOST_REQUIRE(store->postMessage("jedi", "yoda", "two"));
    expectNew("another MSG");
    BOOST_REQUIRE(store->editMessage("jedi", 1, "yoda", "one, edited"));
    expectNew("EDT");
    BOOST_REQUIRE(store->deleteMessage("jedi", 2, "yoda"));
    expectNew("DLT");
    BOOST_REQUIRE(store->removeThread("jedi", "yoda"));
    expectNew("RMV");
}

// dfp-admin writes with its own connection, in its own process: the server learns of it
// from the mark alone, with no call of its own.
BOOST_AUTO_TEST_CASE(a_commit_by_another_process_s_connection_gives_a_new_mark) {
    auto store = openWithOneMessage(*this);
    const CommitMark before = markOf(*store);
    execElsewhere(*this, "DELETE FROM messages WHERE number = 1");
    const CommitMark after = markOf(*store);
    BOOST_TEST((after != before));
    BOOST_REQUIRE(store->threadVersion("jedi"));
    BOOST_TEST((markOf(*store) == after));
}

BOOST_AUTO_TEST_SUITE_END()
