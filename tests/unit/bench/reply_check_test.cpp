#include "bench/reply_check.h"

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "bench/sha256.h"
#include "protocol/response_reader.h"
#include "protocol/validators.h"

namespace dfp::bench {
namespace {

struct Verdict {
    bool done = false;
    bool ok = false;
    bool broken = false;
    std::string problem;
    std::uint64_t bodyItems = 0;
    std::size_t eventsLeft = 0;  // events after the reply: they belong to the next one
};

// Feeds bytes to a ResponseReader in pieces of `piece` bytes and gives the events to a
// ReplyCheck until it is done, as BenchClient does with bytes from a socket.
Verdict judge(const Expectation& expectation, const std::string& bytes, std::size_t piece) {
    protocol::ResponseReader reader;
    ReplyCheck check(expectation);
    Verdict verdict;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        reader.feed(std::string_view(bytes).substr(at, piece));
        while (std::optional<protocol::ResponseEvent> event = reader.next(3)) {
            if (check.done()) {
                ++verdict.eventsLeft;
            } else {
                check.take(*event);
            }
        }
    }
    verdict.done = check.done();
    verdict.ok = check.ok();
    verdict.broken = check.broken();
    verdict.problem = check.problem();
    verdict.bodyItems = check.bodyItems();
    return verdict;
}

struct Row {
    std::string name;
    Expectation expectation;
    std::string bytes;
    std::string mentions = {};  // empty: the reply must be accepted
    bool broken = false;
};

void checkRows(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
        for (std::size_t piece : {row.bytes.size(), std::size_t{1}, std::size_t{7}}) {
            BOOST_TEST_CONTEXT(row.name << ", in pieces of " << piece) {
                const Verdict v =
                    judge(row.expectation, row.bytes, std::max<std::size_t>(piece, 1));
                BOOST_TEST(v.done);
                if (row.mentions.empty()) {
                    BOOST_TEST(v.ok, v.problem);
                } else {
                    BOOST_TEST(!v.ok);
                    BOOST_TEST(v.problem.find(row.mentions) != std::string::npos, v.problem);
                }
                BOOST_TEST(v.broken == row.broken);
                BOOST_TEST(v.eventsLeft == 0u);
            }
        }
    }
}

const std::string kHelloSha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

}  // namespace

BOOST_AUTO_TEST_SUITE(reply_check)

BOOST_AUTO_TEST_CASE(computes_the_sha256_of_known_text) {
    BOOST_TEST(Sha256::of("hello") == kHelloSha);
    BOOST_TEST(Sha256::of("") ==
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(accepts_the_successes_each_command_expects) {
    checkRows({
        {"greeting", expectGreeting(), "200 DFP/1 dfp ready\n"},
        {"greeting with CRLF", expectGreeting(), "200 DFP/1 forum ready\r\n"},
        {"new user", expectUser(true), "332 new account, choose a password\n"},
        {"known user", expectUser(false), "331 password required\n"},
        {"registration", expectPass("alice", true), "231 alice account created, logged in\n"},
        {"login", expectPass("alice", false), "230 alice logged in\n"},
        {"thread", expectThreadCreated("jedi"), "201 jedi thread created\n"},
        {"message", expectPosted(7), "201 7 message posted\n"},
        {"message, any number", expectPosted(), "201 123456 message posted\n"},
        {"thread body", expectEntries(3),
         "210 3 entries\n1 yoda: do or do not\nyoda uploaded notes.txt\n4 luke: ..dots: and: "
         "colons\n.\n"},
        {"empty thread", expectEntries(0), "210 0 entries\n.\n"},
        {"any count", expectEntries(), "210 1 entries\n12 han: hello there\n.\n"},
        {"listing", expectListing(2, "sith"), "215 3 threads\njedi\nsith\n..dot\n.\n"},
        {"empty listing", expectListing(), "215 0 threads\n.\n"},
        {"send bytes", expectSendBytes(5), "340 5 send the bytes\n"},
        {"uploaded", expectUploaded("notes.txt", 5), "201 notes.txt 5 uploaded\n"},
        {"file", expectFile("notes.txt", 5, kHelloSha), "211 5 " + kHelloSha + " notes.txt\nhello"},
        {"file, digest only announced", expectFile("notes.txt", 5),
         "211 5 " + kHelloSha + " notes.txt\nhello"},
        {"removed", expectRemoved("notes.txt"), "200 file notes.txt removed\n"},
        {"goodbye", expectGoodbye(), "221 goodbye\n"},
    });
}

BOOST_AUTO_TEST_CASE(counts_a_refusal_as_an_error_and_keeps_the_stream) {
    checkRows({
        {"no thread", expectEntries(200), "404 no such thread\n", "refused: '404 no such thread'"},
        {"taken name", expectUser(true), "331 password required\n", "refused: '331"},
        {"wrong password", expectPass("alice", false), "401 wrong password\n", "refused: '401"},
        {"busy", expectGreeting(), "503 server busy\n", "refused: '503 server busy'"},
        {"message refused", expectPosted(1), "413 message too long\n", "refused"},
        {"upload refused", expectSendBytes(5), "409 notes.txt file exists in thread\n", "refused"},
        {"checksum", expectUploaded("notes.txt", 5), "400 checksum mismatch\n", "refused"},
        {"not the uploader", expectRemoved("notes.txt"),
         "403 only the uploader or the thread's creator may remove it\n", "refused: '403"},
        {"already logged in", expectPass("alice", false), "409 alice is already logged in\n",
         "refused: '409"},
        // A body the command did not ask for is still read to its end, so the next reply
        // starts where it should.
        {"listing instead of thread", expectEntries(1), "215 1 lines\nx\n.\n", "refused: '215"},
        {"file instead of listing", expectListing(), "211 5 " + kHelloSha + " f\nhello",
         "refused: '211"},
    });
}

BOOST_AUTO_TEST_CASE(finds_wrong_fields_in_a_success) {
    checkRows({
        {"not DFP/1", expectGreeting(), "200 HTTP/1.1 ready\n", "does not name DFP/1"},
        {"other user", expectPass("alice", true), "231 bob account created, logged in\n",
         "logged in as 'bob'"},
        {"other thread", expectThreadCreated("jedi"), "201 sith thread created\n",
         "created 'sith'"},
        {"wrong number", expectPosted(7), "201 6 message posted\n",
         "message got number 6, expected 7"},
        {"no number", expectPosted(), "201 x message posted\n", "no message number"},
        {"number zero", expectPosted(), "201 0 message posted\n", "no message number"},
        {"short count", expectEntries(200), "210 199 entries\n.\n", "expected 200"},
        {"no count", expectEntries(), "210 many entries\n.\n", "no count"},
        {"few threads", expectListing(5), "215 1 threads\njedi\n.\n", "at least 5"},
        {"wrong size", expectSendBytes(5), "340 6 send the bytes\n", "size '6' is not 5"},
        {"wrong file uploaded", expectUploaded("a.txt", 5), "201 b.txt 5 uploaded\n",
         "uploaded 'b.txt'"},
        {"wrong uploaded size", expectUploaded("a.txt", 5), "201 a.txt 4 uploaded\n",
         "size '4' is not 5"},
        {"other file removed", expectRemoved("a.txt"), "200 file b.txt removed\n",
         "removed '200 file b.txt removed', not the file 'a.txt'"},
        {"message removed", expectRemoved("a.txt"), "200 message 3 deleted\n",
         "not the file 'a.txt'"},
    });
}

BOOST_AUTO_TEST_CASE(checks_line_bodies_against_their_count_and_shape) {
    checkRows({
        {"fewer lines than announced", expectEntries(), "210 3 entries\n1 a: x\n2 a: y\n.\n",
         "announced 3 entries, sent 2"},
        {"more lines than announced", expectListing(), "215 1 threads\njedi\nsith\n.\n",
         "announced 1 entries, sent 2"},
        {"not a thread line", expectEntries(), "210 1 entries\nhello\n.\n",
         "thread line without a space"},
        {"neither message nor file", expectEntries(), "210 1 entries\nyoda said hi\n.\n",
         "neither a message nor a file"},
        {"message without text", expectEntries(), "210 1 entries\n1 yoda: \n.\n", "without text"},
        {"bad author", expectEntries(), "210 1 entries\n1 yo da: hi\n.\n", "neither"},
        {"bad file name", expectEntries(), "210 1 entries\nyoda uploaded .hidden\n.\n", "neither"},
        // The author ends at the first colon, which must come with a space after it.
        {"longest author", expectEntries(),
         "210 1 entries\n1 " + std::string(protocol::kMaxUsername, 'y') + ": hi\n.\n"},
        {"author too long", expectEntries(),
         "210 1 entries\n1 " + std::string(protocol::kMaxUsername + 1, 'y') + ": hi\n.\n",
         "neither"},
        {"colon without a space", expectEntries(), "210 1 entries\n1 yoda:hi\n.\n", "neither"},
        {"colons in the text", expectEntries(), "210 2 entries\n1 yoda: a: b\n2 a: :\n.\n"},
        {"no author", expectEntries(), "210 1 entries\n1 : hi\n.\n", "neither"},
        {"colon inside the author", expectEntries(), "210 1 entries\n1 yo:da: hi\n.\n", "neither"},
        {"numbers going back", expectEntries(), "210 2 entries\n2 a: x\n1 a: y\n.\n",
         "message 1 after message 2"},
        {"number repeated", expectEntries(), "210 2 entries\n2 a: x\n2 a: y\n.\n",
         "message 2 after message 2"},
        {"title with a space", expectListing(), "215 1 threads\nbad title\n.\n",
         "not a valid title"},
        {"own thread missing", expectListing(0, "mine"), "215 1 threads\njedi\n.\n",
         "'mine' is not listed"},
    });
}

BOOST_AUTO_TEST_CASE(checks_a_download_byte_for_byte) {
    const std::string upper = "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824";
    const std::string other = std::string(64, '0');
    checkRows({
        {"changed byte", expectFile("f", 5), "211 5 " + kHelloSha + " f\nhellp", "bytes hash to"},
        {"other file than uploaded", expectFile("f", 5, other), "211 5 " + kHelloSha + " f\nhello",
         "the file has " + other},
        {"upper-case digest", expectFile("f", 5), "211 5 " + upper + " f\nhello",
         "no lower-case sha256"},
        {"other size", expectFile("f", 6), "211 5 " + kHelloSha + " f\nhello", "size '5' is not 6"},
        {"other name", expectFile("f", 5), "211 5 " + kHelloSha + " g\nhello", "sends 'g'"},
    });
}

// With the content known (the bench's own upload: one block repeated), every byte is compared
// with it at its offset, across the pieces the bytes arrive in.
BOOST_AUTO_TEST_CASE(checks_a_download_of_known_content_against_that_content) {
    const std::string body = "abcabca";  // "abc" repeated, cut at 7
    const std::string sha = Sha256::of(body);
    const std::string head = "211 7 " + sha + " f\n";
    checkRows({
        {"the content", expectFile("f", 7, sha, "abc"), head + body},
        {"a byte changed in the last copy", expectFile("f", 7, sha, "abc"), head + "abcabXa",
         "byte 5 differs"},
        {"the first byte changed", expectFile("f", 7, sha, "abc"), head + "Xbcabca",
         "byte 0 differs"},
        {"another file of the same size", expectFile("f", 7, sha, "abd"), head + body,
         "byte 2 differs"},
        {"announced digest not the file's", expectFile("f", 7, Sha256::of("x"), "abc"), head + body,
         "the file has"},
        {"shorter than its size", expectFile("f", 7, sha, "abc"), "211 6 " + sha + " f\nabcabc",
         "size '6' is not 7"},
    });
}

BOOST_AUTO_TEST_CASE(treats_notices_and_garbage_as_a_broken_stream) {
    checkRows({
        {"shutdown notice", expectPosted(), "600 server shutting down\n",
         "notice '600 server shutting down'", true},
        {"idle notice", expectEntries(), "601 idle timeout, closing\n", "notice '601", true},
        {"not a reply", expectGoodbye(), "HTTP/1.1 400 Bad Request\n", "malformed reply", true},
        {"binary size missing", expectFile("f", 5), "211\n", "malformed reply", true},
    });
}

BOOST_AUTO_TEST_CASE(ends_at_its_own_reply_and_leaves_the_next_one) {
    protocol::ResponseReader reader;
    reader.feed("210 1 entries\n1 a: x\n.\n201 2 message posted\n");
    ReplyCheck first(expectEntries(1));
    ReplyCheck second(expectPosted(2));
    while (!first.done()) {
        std::optional<protocol::ResponseEvent> event = reader.next();
        BOOST_TEST_REQUIRE(event.has_value());
        first.take(*event);
    }
    BOOST_TEST(first.ok(), first.problem());
    BOOST_TEST(first.bodyStarted());
    std::optional<protocol::ResponseEvent> event = reader.next();
    BOOST_TEST_REQUIRE(event.has_value());
    BOOST_TEST(second.take(*event));
    BOOST_TEST(second.ok(), second.problem());
    BOOST_TEST(!second.bodyStarted());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::bench
