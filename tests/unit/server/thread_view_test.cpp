// thread_view: the RDT reply grown by one entry is the reply RDT would build with it.

#include <boost/test/unit_test.hpp>

#include <string>

#include "server/thread_view.h"

using namespace dfp::server;

BOOST_AUTO_TEST_SUITE(thread_view)

BOOST_AUTO_TEST_CASE(appending_counts_the_entry_and_keeps_the_body_framed) {
    const std::string empty = emptyThreadReply();
    BOOST_TEST(empty == threadReplyHead(0) + ".\n");
    auto one = withLineAppended(empty, messageLine(1, "yoda", "hi"));
    BOOST_TEST_REQUIRE(one.has_value());
    BOOST_TEST(*one == threadReplyHead(1) + "1 yoda: hi\n.\n");
    // A line starting with '.' is stuffed, as in any body (protocol.md §2).
    auto two = withLineAppended(*one, ".dotted");
    BOOST_TEST_REQUIRE(two.has_value());
    BOOST_TEST(*two == threadReplyHead(2) + "1 yoda: hi\n..dotted\n.\n");
    auto file = withLineAppended(*two, fileLine("luke", "notes.txt"));
    BOOST_TEST_REQUIRE(file.has_value());
    BOOST_TEST(*file == threadReplyHead(3) + "1 yoda: hi\n..dotted\nluke uploaded notes.txt\n.\n");
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_an_rdt_reply) {
    BOOST_TEST(!withLineAppended("", "x").has_value());
    BOOST_TEST(!withLineAppended("210 1 entries\n1 yoda: hi\n", "x").has_value());  // no end
    BOOST_TEST(!withLineAppended("211 1 threads\njedi\n.\n", "x").has_value());     // LST
    BOOST_TEST(!withLineAppended("210 x entries\n.\n", "x").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
