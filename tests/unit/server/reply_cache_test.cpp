// ReplyCache: a reply is served only for the exact stamp it was kept under, and memory
// stays within its bounds.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "server/reply_cache.h"

using dfp::server::ReplyCache;
using dfp::storage::CommitMark;
using dfp::storage::ViewVersion;

namespace {

CommitMark markNumbered(unsigned char n) {
    CommitMark mark;
    mark.bytes.fill(n);
    return mark;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reply_cache)

BOOST_AUTO_TEST_CASE(serves_a_reply_only_for_the_stamp_it_was_kept_under) {
    ReplyCache cache(1000, 100);
    BOOST_TEST(cache.find("jedi", {1, 5}) == nullptr);
    cache.insert("jedi", {1, 5}, "210 1 entries\n1 yoda: hi\n.\n");
    auto kept = cache.find("jedi", {1, 5});
    BOOST_TEST_REQUIRE(kept != nullptr);
    BOOST_TEST(*kept == "210 1 entries\n1 yoda: hi\n.\n");
    BOOST_TEST(cache.find("jedi", {1, 6}) == nullptr);  // changed since
    BOOST_TEST(cache.find("jedi", {2, 5}) == nullptr);  // removed and created again
    BOOST_TEST(cache.find("sith", {1, 5}) == nullptr);
}

BOOST_AUTO_TEST_CASE(a_newer_reply_replaces_the_older_one_of_its_thread) {
    ReplyCache cache(1000, 100);
    cache.insert("jedi", {1, 5}, "old");
    cache.insert("jedi", {1, 6}, "newer");
    BOOST_TEST(cache.find("jedi", {1, 5}) == nullptr);
    BOOST_TEST(*cache.find("jedi", {1, 6}) == "newer");
    BOOST_TEST(cache.entries() == 1u);
    BOOST_TEST(cache.bytes() == 5u);
}

BOOST_AUTO_TEST_CASE(never_keeps_a_reply_over_the_entry_limit) {
    ReplyCache cache(1000, 10);
    cache.insert("big", {1, 1}, std::string(11, 'x'));
    BOOST_TEST(cache.find("big", {1, 1}) == nullptr);
    BOOST_TEST(cache.bytes() == 0u);
    cache.insert("small", {2, 1}, std::string(10, 'x'));
    BOOST_TEST(cache.find("small", {2, 1}) != nullptr);
}

BOOST_AUTO_TEST_CASE(drops_the_least_recently_used_to_stay_within_its_memory) {
    ReplyCache cache(30, 10);
    cache.insert("a", {1, 1}, std::string(10, 'a'));
    cache.insert("b", {2, 1}, std::string(10, 'b'));
    cache.insert("c", {3, 1}, std::string(10, 'c'));
    BOOST_TEST(cache.find("a", {1, 1}) != nullptr);   // a is now the most recent
    cache.insert("d", {4, 1}, std::string(10, 'd'));  // b, the least recent, makes way
    BOOST_TEST(cache.find("b", {2, 1}) == nullptr);
    BOOST_TEST(cache.find("a", {1, 1}) != nullptr);
    BOOST_TEST(cache.find("c", {3, 1}) != nullptr);
    BOOST_TEST(cache.find("d", {4, 1}) != nullptr);
    BOOST_TEST(cache.bytes() <= 30u);
    BOOST_TEST(cache.entries() == 3u);
}

BOOST_AUTO_TEST_CASE(a_reply_handed_out_outlives_its_eviction) {
    ReplyCache cache(10, 10);
    cache.insert("a", {1, 1}, "0123456789");
    auto held = cache.find("a", {1, 1});
    cache.insert("b", {2, 1}, "abcdefghij");
    BOOST_TEST(cache.find("a", {1, 1}) == nullptr);
    BOOST_TEST_REQUIRE(held != nullptr);
    BOOST_TEST(*held == "0123456789");
}

BOOST_AUTO_TEST_CASE(with_no_memory_keeps_nothing) {
    ReplyCache cache(0, 1 << 20);
    cache.insert("a", {1, 1}, "x");
    BOOST_TEST(cache.find("a", {1, 1}) == nullptr);
    BOOST_TEST(cache.entries() == 0u);
}

BOOST_AUTO_TEST_CASE(revises_a_reply_only_from_the_stamp_it_is_kept_at) {
    ReplyCache cache(1000, 100);
    const auto grow = [](std::string& kept) {
        kept += "+";
        return true;
    };
    cache.revise("jedi", {1, 5}, {1, 6}, grow);  // nothing kept: nothing to revise
    BOOST_TEST(cache.entries() == 0u);
    cache.insert("jedi", {1, 5}, "v5");
    cache.revise("jedi", {1, 4}, {1, 5}, grow);  // an older change: leaves it alone
    BOOST_TEST(*cache.find("jedi", {1, 5}) == "v5");
    cache.revise("jedi", {1, 5}, {1, 6}, grow);
    BOOST_TEST(cache.find("jedi", {1, 5}) == nullptr);
    BOOST_TEST(*cache.find("jedi", {1, 6}) == "v5+");
    BOOST_TEST(cache.bytes() == 3u);
    cache.revise("jedi", {2, 6}, {2, 7}, grow);  // another thread under the title
    BOOST_TEST(*cache.find("jedi", {1, 6}) == "v5+");
}

// revise runs outside the lock: a reply kept by someone else meanwhile (a reader's newer
// view) stands, and the revision of the older one is thrown away.
BOOST_AUTO_TEST_CASE(a_reply_kept_while_a_revision_was_made_is_not_overwritten) {
    ReplyCache cache(1000, 100);
    cache.insert("jedi", {1, 5}, "v5");
    cache.revise("jedi", {1, 5}, {1, 6}, [&](std::string& kept) {
        cache.insert("jedi", {1, 7}, "v7");
        kept += "+";
        return true;
    });
    BOOST_TEST(cache.find("jedi", {1, 6}) == nullptr);
    BOOST_TEST(*cache.find("jedi", {1, 7}) == "v7");
    BOOST_TEST(cache.entries() == 1u);
    BOOST_TEST(cache.bytes() == 2u);
}

BOOST_AUTO_TEST_CASE(drops_a_reply_whose_revision_fails_or_grows_too_big) {
    ReplyCache cache(1000, 4);
    cache.insert("jedi", {1, 1}, "abc");
    cache.revise("jedi", {1, 1}, {1, 2}, [](std::string&) { return false; });
    BOOST_TEST(cache.entries() == 0u);
    cache.insert("sith", {1, 1}, "abc");
    cache.revise("sith", {1, 1}, {1, 2}, [](std::string& kept) {
        kept += "de";
        return true;
    });
    BOOST_TEST(cache.entries() == 0u);
    BOOST_TEST(cache.bytes() == 0u);
}

// A reader sends the reply it was handed outside the lock: a revision never changes it under
// the reader, however many follow.
BOOST_AUTO_TEST_CASE(a_reply_handed_out_is_never_changed_by_a_revision) {
    ReplyCache cache(1000, 100);
    cache.insert("jedi", {1, 1}, "v1");
    const auto held = cache.find("jedi", {1, 1});
    BOOST_TEST_REQUIRE(held != nullptr);
    for (int version = 1; version < 4; ++version) {
        cache.revise("jedi", {1, version}, {1, version + 1}, [](std::string& kept) {
            kept += "+";
            return true;
        });
    }
    BOOST_TEST(*held == "v1");
    BOOST_TEST(*cache.find("jedi", {1, 4}) == "v1+++");
}

// Changes with no read between them edit one string: a thread posted to many times is not
// copied whole at each message. The first revision after a read works on a copy.
BOOST_AUTO_TEST_CASE(revisions_with_no_read_between_them_edit_the_kept_reply_itself) {
    ReplyCache cache(1000, 100);
    cache.insert("jedi", {1, 1}, "v1");
    std::vector<const std::string*> edited;
    const auto grow = [&](std::string& kept) {
        edited.push_back(&kept);
        kept += "+";
        return true;
    };
    cache.revise("jedi", {1, 1}, {1, 2}, grow);
    cache.revise("jedi", {1, 2}, {1, 3}, grow);
    const auto read = cache.find("jedi", {1, 3});
    BOOST_TEST_REQUIRE(read != nullptr);
    cache.revise("jedi", {1, 3}, {1, 4}, grow);
    cache.revise("jedi", {1, 4}, {1, 5}, grow);
    BOOST_TEST_REQUIRE(edited.size() == 4u);
    BOOST_TEST(edited[0] == edited[1]);
    BOOST_TEST(edited[1] == read.get());
    BOOST_TEST(edited[2] != read.get());
    BOOST_TEST(edited[2] == edited[3]);
    BOOST_TEST(*read == "v1++");
    BOOST_TEST(*cache.find("jedi", {1, 5}) == "v1++++");
    BOOST_TEST(cache.bytes() == 6u);
}

// A reply whose version was confirmed at a commit mark is served at that same mark without
// a version, and only there; a revision, vouched for rather than read, has no mark.
BOOST_AUTO_TEST_CASE(served_without_a_version_only_at_the_mark_it_was_confirmed_at) {
    ReplyCache cache(1000, 100);
    const CommitMark first = markNumbered(1);
    const CommitMark second = markNumbered(2);
    cache.insert("jedi", {1, 5}, "v5", first);
    BOOST_TEST_REQUIRE(cache.findUnchanged("jedi", first) != nullptr);
    BOOST_TEST(*cache.findUnchanged("jedi", first) == "v5");
    BOOST_TEST(cache.findUnchanged("jedi", second) == nullptr);  // a commit came since
    BOOST_TEST(cache.findUnchanged("sith", first) == nullptr);

    // Confirmed again after that commit: served at the new mark, no longer at the old.
    BOOST_TEST(cache.find("jedi", {1, 5}, second) != nullptr);
    BOOST_TEST(cache.findUnchanged("jedi", second) != nullptr);
    BOOST_TEST(cache.findUnchanged("jedi", first) == nullptr);

    // A version found without a mark (the store could not tell) forgets the one it had.
    BOOST_TEST(cache.find("jedi", {1, 5}) != nullptr);
    BOOST_TEST(cache.findUnchanged("jedi", second) == nullptr);

    cache.insert("jedi", {1, 6}, "v6", first);
    cache.revise("jedi", {1, 6}, {1, 7}, [](std::string& kept) {
        kept += "+";
        return true;
    });
    BOOST_TEST(cache.findUnchanged("jedi", first) == nullptr);
    BOOST_TEST(*cache.find("jedi", {1, 7}) == "v6+");

    cache.insert("sith", {2, 1}, "s1");  // kept without a mark
    BOOST_TEST(cache.findUnchanged("sith", first) == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
