// threadVersion (forum_store.h): every change of a thread's messages or files gives a new
// stamp, reads do not, and a thread removed and created again under its title never repeats
// an old stamp. A cache of RDT views relies on exactly this.

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

#include "support/storage_fixture.h"

using dfp::storage::StoreError;
using dfp::storage::ViewVersion;
using dfp::test::execElsewhere;
using dfp::test::openWithOneMessage;
using dfp::test::StoreFixture;

namespace {

ViewVersion versionOf(dfp::storage::ForumStore& store, std::string_view title) {
    auto version = store.threadVersion(title);
    BOOST_TEST_REQUIRE(static_cast<bool>(version), "no version for " << title);
    return *version;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(thread_version, StoreFixture)

BOOST_AUTO_TEST_CASE(every_change_of_a_thread_gives_a_new_stamp_and_reads_do_not) {
    auto store = open();
    BOOST_REQUIRE(store->createUser("yoda", "pw"));
    BOOST_REQUIRE(store->createUser("luke", "pw"));
    BOOST_REQUIRE(store->createThread("jedi", "yoda"));
    BOOST_REQUIRE(store->createThread("sith", "luke"));

    std::set<std::pair<std::int64_t, std::int64_t>> seen;
    auto expectNew = [&](const char* what) {
        const ViewVersion now = versionOf(*store, "jedi");
        BOOST_TEST(seen.insert({now.id, now.version}).second, what << " did not change the stamp");
        return now;
    };
    expectNew("creation");
    BOOST_REQUIRE(store->postMessage("jedi", "yoda", "one"));
    expectNew("MSG");
    BOOST_REQUIRE(store->postMessage("jedi", "luke", "two"));
    expectNew("another MSG");
    BOOST_REQUIRE(store->editMessage("jedi", 1, "yoda", "one, edited"));
    expectNew("EDT");
    BOOST_REQUIRE(store->deleteMessage("jedi", 2, "luke"));
    expectNew("DLT");
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "jedi", "notes.txt", "luke", "bytes"));
    expectNew("UPD");
    BOOST_REQUIRE(store->removeFile("jedi", "notes.txt", "luke"));
    const ViewVersion last = expectNew("RMF");

    // Reads, refusals and changes to another thread leave it alone.
    BOOST_REQUIRE(dfp::test::readThread(*store, "jedi"));
    BOOST_REQUIRE(store->listFiles("jedi"));
    BOOST_TEST(!store->editMessage("jedi", 1, "luke", "not yours"));
    BOOST_TEST(!store->deleteMessage("jedi", 99, "yoda"));
    BOOST_REQUIRE(store->postMessage("sith", "luke", "elsewhere"));
    BOOST_TEST((versionOf(*store, "jedi") == last));
}

// The stamps CRT and MSG hand back are the ones threadVersion reads right after, and a
// message's is the stamp before it plus one: the view it names is the view before plus that
// message alone (a cache extends its kept RDT reply only on that promise).
BOOST_AUTO_TEST_CASE(crt_and_msg_give_the_stamp_they_leave_their_thread_at) {
    auto store = open();
    BOOST_REQUIRE(store->createUser("yoda", "pw"));
    auto made = store->createThreadStamped("jedi", "yoda");
    BOOST_REQUIRE(static_cast<bool>(made));
    BOOST_REQUIRE(made->has_value());
    BOOST_TEST((**made == versionOf(*store, "jedi")));
    BOOST_TEST((store->createThreadStamped("jedi", "yoda").error() == StoreError::AlreadyExists));

    for (int i = 1; i <= 3; ++i) {
        const ViewVersion before = versionOf(*store, "jedi");
        auto posted = store->postMessageStamped("jedi", "yoda", "message");
        BOOST_REQUIRE(static_cast<bool>(posted));
        BOOST_TEST(posted->number == i);
        BOOST_REQUIRE(posted->thread.has_value());
        BOOST_TEST((*posted->thread == versionOf(*store, "jedi")));
        BOOST_TEST(posted->thread->id == before.id);
        BOOST_TEST(posted->thread->version == before.version + 1);
    }
    BOOST_TEST(
        (store->postMessageStamped("sith", "yoda", "x").error() == StoreError::ThreadNotFound));
}

BOOST_AUTO_TEST_CASE(a_thread_created_again_under_its_title_never_repeats_a_stamp) {
    auto store = open();
    BOOST_REQUIRE(store->createUser("yoda", "pw"));
    BOOST_REQUIRE(store->createThread("jedi", "yoda"));
    const ViewVersion first = versionOf(*store, "jedi");
    BOOST_REQUIRE(store->removeThread("jedi", "yoda"));
    BOOST_TEST(dfp::test::outcome(store->threadVersion("jedi")) ==
               describe(StoreError::ThreadNotFound));
    BOOST_REQUIRE(store->createThread("jedi", "yoda"));
    const ViewVersion second = versionOf(*store, "jedi");
    BOOST_TEST(second.id != first.id);
}

BOOST_AUTO_TEST_CASE(a_change_made_by_another_process_s_connection_is_seen) {
    auto store = openWithOneMessage(*this);
    const ViewVersion before = versionOf(*store, "jedi");
    execElsewhere(*this, "DELETE FROM messages WHERE number = 1");
    BOOST_TEST(!(versionOf(*store, "jedi") == before));
}

// A message inserted by plain SQL, with numbers of its own choosing, bumps the stamp and moves
// the thread's counters past it (migration 0006): the store's next post takes the number
// after it instead of colliding with it, and numbers still only grow.
BOOST_AUTO_TEST_CASE(a_message_inserted_by_another_writer_moves_the_counters_past_it) {
    auto store = openWithOneMessage(*this);
    const ViewVersion before = versionOf(*store, "jedi");
    auto insertAt = [](int number, int seq) {
        const std::string columns = "(thread_id, number, seq, author_id, text, created)";
        const std::string values = std::to_string(number) + ", " + std::to_string(seq);
        return "INSERT INTO messages " + columns + " SELECT id, " + values +
               ", creator_id, 'by hand', 0 FROM threads WHERE title = 'jedi'";
    };
    execElsewhere(*this, insertAt(7, 9));
    const ViewVersion after = versionOf(*store, "jedi");
    BOOST_TEST(after.version == before.version + 1);

    auto posted = store->postMessageStamped("jedi", "yoda", "after it");
    BOOST_REQUIRE(static_cast<bool>(posted));
    BOOST_TEST(posted->number == 8);
    // A lower number inserted by hand (a deleted one restored) leaves the counter alone.
    execElsewhere(*this, insertAt(2, 20));
    posted = store->postMessageStamped("jedi", "yoda", "next");
    BOOST_REQUIRE(static_cast<bool>(posted));
    BOOST_TEST(posted->number == 9);
    auto view = dfp::test::readThread(*store, "jedi");
    BOOST_REQUIRE(static_cast<bool>(view));
    BOOST_TEST(view->entries.size() == 5U);
}

BOOST_AUTO_TEST_CASE(the_list_changes_its_stamp_when_a_thread_comes_or_goes_and_only_then) {
    auto store = open();
    BOOST_REQUIRE(store->createUser("yoda", "pw"));
    const ViewVersion empty = store->threadListVersion();
    BOOST_REQUIRE(store->createThread("jedi", "yoda"));
    const ViewVersion one = store->threadListVersion();
    BOOST_TEST(!(one == empty));
    BOOST_REQUIRE(store->postMessage("jedi", "yoda", "not a change of the list"));
    BOOST_TEST(!store->createThread("jedi", "yoda"));  // refused: no change
    BOOST_TEST((store->threadListVersion() == one));
    BOOST_REQUIRE(store->createThread("sith", "yoda"));
    const ViewVersion two = store->threadListVersion();
    BOOST_TEST(!(two == one));
    BOOST_REQUIRE(store->removeThread("sith", "yoda"));
    const ViewVersion removed = store->threadListVersion();
    BOOST_TEST(!(removed == two));
    BOOST_TEST(!(removed == one));  // same list as before, but never the same stamp again
    {
        SQLite::Database other(databaseFile(), SQLite::OPEN_READWRITE);
        other.exec("PRAGMA foreign_keys = ON; DELETE FROM threads WHERE title = 'jedi'");
    }
    BOOST_TEST(!(store->threadListVersion() == removed));
}

BOOST_AUTO_TEST_SUITE_END()
