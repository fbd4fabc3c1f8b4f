// thread_view: the RDT reply grown by one entry is the reply RDT would build with it.

#include <boost/test/unit_test.hpp>

#include <string>

#include "server/thread_view.h"

using namespace dfp::server;

BOOST_AUTO_TEST_SUITE(thread_view)

BOOST_AUTO_TEST_CASE(appending_counts_the_entry_and_keeps_the_body_framed) {
    std::string reply = emptyThreadReply();
    BOOST_TEST(reply == threadReplyHead(0) + ".\n");
    BOOST_TEST(appendEntryLine(reply, messageLine(1, "yoda", "hi")));
    BOOST_TEST(reply == threadReplyHead(1) + "1 yoda: hi\n.\n");
    // A line starting with '.' is stuffed, as in any body (protocol.md §2).
    BOOST_TEST(appendEntryLine(reply, ".dotted"));
    BOOST_TEST(reply == threadReplyHead(2) + "1 yoda: hi\n..dotted\n.\n");
    BOOST_TEST(appendEntryLine(reply, fileLine("luke", "notes.txt")));
    BOOST_TEST(reply == threadReplyHead(3) + "1 yoda: hi\n..dotted\nluke uploaded notes.txt\n.\n");
}

// From 9 entries to 10 the status line grows by a character, and the body moves with it.
BOOST_AUTO_TEST_CASE(a_count_gaining_a_digit_keeps_every_line) {
    std::string reply = emptyThreadReply();
    std::string body;
    for (int number = 1; number <= 12; ++number) {
        const std::string line = messageLine(number, "yoda", "m" + std::to_string(number));
        BOOST_TEST_REQUIRE(appendEntryLine(reply, line));
        body += line + "\n";
        BOOST_TEST(reply == threadReplyHead(static_cast<std::uint64_t>(number)) + body + ".\n");
    }
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_an_rdt_reply_and_leaves_it_alone) {
    for (std::string notRdt :
         {std::string(), std::string("210 1 entries\n1 yoda: hi\n"),
          std::string("211 1 threads\njedi\n.\n"), std::string("210 x entries\n.\n")}) {
        const std::string before = notRdt;
        BOOST_TEST(!appendEntryLine(notRdt, "x"));
        BOOST_TEST(notRdt == before);
    }
}

BOOST_AUTO_TEST_SUITE_END()
