// thread_view: the RDT reply grown by one entry is the reply RDT would build with it.

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/thread_view.h"

using namespace dfp::server;

namespace {

std::optional<std::string> appended(const std::string& reply, std::string_view line) {
    auto grown = withLineAppended(KeptReply(reply), line);
    return grown ? std::optional(grown->flat()) : std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(thread_view)

BOOST_AUTO_TEST_CASE(appending_counts_the_entry_and_keeps_the_body_framed) {
    const std::string empty = emptyThreadReply();
    BOOST_TEST(empty == threadReplyHead(0) + ".\n");
    auto one = appended(empty, messageLine(1, "yoda", "hi"));
    BOOST_TEST_REQUIRE(one.has_value());
    BOOST_TEST(*one == threadReplyHead(1) + "1 yoda: hi\n.\n");
    // A line starting with '.' is stuffed, as in any body (protocol.md §2).
    auto two = appended(*one, ".dotted");
    BOOST_TEST_REQUIRE(two.has_value());
    BOOST_TEST(*two == threadReplyHead(2) + "1 yoda: hi\n..dotted\n.\n");
    auto file = appended(*two, fileLine("luke", "notes.txt"));
    BOOST_TEST_REQUIRE(file.has_value());
    BOOST_TEST(*file == threadReplyHead(3) + "1 yoda: hi\n..dotted\nluke uploaded notes.txt\n.\n");
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_an_rdt_reply) {
    BOOST_TEST(!appended("", "x").has_value());
    BOOST_TEST(!appended("210 1 entries\n1 yoda: hi\n", "x").has_value());  // no end
    BOOST_TEST(!appended("211 1 threads\njedi\n.\n", "x").has_value());     // LST
    BOOST_TEST(!appended("210 x entries\n.\n", "x").has_value());
    BOOST_TEST(!appended("210 1 entries\n", "x").has_value());  // status line only
}

// A reply grown a line at a time, as MSG keeps a thread's: every version is the whole reply
// RDT would send, and each shares all but its status line and last body piece with the one
// before, so a post copies at most kBodyPieceBytes however long the thread.
BOOST_AUTO_TEST_CASE(a_reply_grown_line_by_line_shares_all_but_its_ends) {
    std::string body;
    for (int n = 1; n <= 100; ++n) {
        body += messageLine(n, "yoda", std::string(150, 'a' + n % 26)) + "\n";
    }
    std::optional<KeptReply> reply = KeptReply(threadReplyHead(100) + body + ".\n");
    for (int n = 101; n <= 400; ++n) {
        const std::string line = messageLine(n, "luke", std::string(n % 200 + 1, 'x'));
        std::optional<KeptReply> grown = withLineAppended(*reply, line);
        BOOST_TEST_REQUIRE(grown.has_value());
        body += line + "\n";
        BOOST_TEST_REQUIRE(grown->flat() == threadReplyHead(n) + body + ".\n");
        BOOST_TEST(grown->size() == grown->flat().size());
        const auto& before = reply->pieces();
        const auto& after = grown->pieces();
        BOOST_TEST_REQUIRE(after.size() >= 3u);
        for (std::size_t i = 1; i + 1 < after.size(); ++i) {
            BOOST_TEST(after[i]->size() <= kBodyPieceBytes);
        }
        if (n > 101) {  // the first revision cut the whole reply into pieces
            BOOST_TEST_REQUIRE(after.size() >= before.size());
            for (std::size_t i = 1; i + 2 < before.size(); ++i) {
                BOOST_TEST(after[i].get() == before[i].get(), "piece " << i << " at " << n);
            }
        }
        reply = std::move(grown);
    }
}

// Pieces that are not in the form withLineAppended makes (cut anywhere) are read as the
// bytes they hold.
BOOST_AUTO_TEST_CASE(reads_a_reply_in_pieces_cut_anywhere) {
    const std::string whole = threadReplyHead(2) + "1 yoda: hi\n2 luke: yo\n.\n";
    for (std::size_t cut = 1; cut < whole.size(); ++cut) {
        const KeptReply pieces(
            std::vector<KeptReply::Piece>{std::make_shared<const std::string>(whole.substr(0, cut)),
                                          std::make_shared<const std::string>(whole.substr(cut))});
        auto grown = withLineAppended(pieces, "3 leia: hey");
        BOOST_TEST_REQUIRE(grown.has_value(), "cut at " << cut);
        BOOST_TEST(grown->flat() ==
                   threadReplyHead(3) + "1 yoda: hi\n2 luke: yo\n3 leia: hey\n.\n");
    }
}

BOOST_AUTO_TEST_SUITE_END()
