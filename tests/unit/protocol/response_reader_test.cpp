#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/reply.h"
#include "protocol/response_reader.h"

namespace dfp::protocol {
namespace {

using Kind = ResponseEvent::Kind;

// Events as text so a sequence compares in one assertion. Adjacent BinaryData events are
// joined: how a body is chunked depends on how the bytes arrived, its content does not.
struct Collected {
    std::vector<std::string> events;
    std::size_t largestChunk = 0;
};

std::string describe(const ResponseEvent& event) {
    std::string fields;
    for (const std::string& field : event.fields) {
        fields += "<" + field + ">";
    }
    switch (event.kind) {
        case Kind::Status:
            return "status " + std::to_string(event.code) + " [" + event.text + "] " + fields;
        case Kind::Notice:
            return "notice " + std::to_string(event.code) + " [" + event.text + "] " + fields;
        case Kind::BodyLine:
            return "line [" + event.text + "]";
        case Kind::BodyEnd:
            return "end";
        case Kind::BinaryData:
            return "data [" + event.text + "]";
        case Kind::BinaryEnd:
            return "binary end";
        case Kind::Malformed:
            return "malformed [" + event.text + "]";
    }
    return "?";
}

void drainInto(ResponseReader& reader, Collected& out, std::size_t maxChunk = 1 << 16) {
    while (std::optional<ResponseEvent> event = reader.next(maxChunk)) {
        if (event->kind == Kind::BinaryData) {
            out.largestChunk = std::max(out.largestChunk, event->text.size());
            if (!out.events.empty() && out.events.back().starts_with("data [")) {
                std::string& last = out.events.back();
                last.insert(last.size() - 1, event->text);
                continue;
            }
        }
        out.events.push_back(describe(*event));
    }
}

std::vector<std::string> readWhole(std::string_view bytes) {
    ResponseReader reader;
    reader.feed(bytes);
    Collected out;
    drainInto(reader, out);
    return out.events;
}

std::vector<std::string> readByteByByte(std::string_view bytes) {
    ResponseReader reader;
    Collected out;
    for (char c : bytes) {
        reader.feed(std::string_view(&c, 1));
        drainInto(reader, out);
    }
    return out.events;
}

// Byte by byte, as readByteByByte, but through one event that every next() writes over: what
// an event held before (a longer text, more fields) must never show through.
std::vector<std::string> readIntoOneEvent(std::string_view bytes) {
    ResponseReader reader;
    ResponseEvent event;
    std::vector<std::string> events;
    for (char c : bytes) {
        reader.feed(std::string_view(&c, 1));
        while (reader.next(event)) {
            if (event.kind == Kind::BinaryData && !events.empty() &&
                events.back().starts_with("data [")) {
                events.back().insert(events.back().size() - 1, event.text);
                continue;
            }
            events.push_back(describe(event));
        }
    }
    return events;
}

struct ReadRow {
    std::string input;
    std::vector<std::string> expected;
};

void checkRows(const std::vector<ReadRow>& rows) {
    for (const ReadRow& row : rows) {
        BOOST_TEST_CONTEXT("input [" << row.input.substr(0, 60) << "]") {
            BOOST_TEST(readWhole(row.input) == row.expected, boost::test_tools::per_element());
            BOOST_TEST(readByteByByte(row.input) == row.expected, boost::test_tools::per_element());
            BOOST_TEST(readIntoOneEvent(row.input) == row.expected,
                       boost::test_tools::per_element());
        }
    }
}

const std::string kSha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

std::string everyByteValue() {
    std::string bytes;
    for (int b = 0; b < 256; ++b) {
        bytes += static_cast<char>(b);
    }
    return bytes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(response_reader)

BOOST_AUTO_TEST_CASE(reads_status_lines_with_their_fields) {
    checkRows({
        {"200 DFP/1 forum ready\n", {"status 200 [DFP/1 forum ready] <DFP/1><forum><ready>"}},
        {"201 1 message posted\n", {"status 201 [1 message posted] <1><message><posted>"}},
        {"221 goodbye\r\n", {"status 221 [goodbye] <goodbye>"}},
        {"200\n", {"status 200 [] "}},
        {"200 \n", {"status 200 [] "}},
        {"400 unknown command  FOO\n",
         {"status 400 [unknown command  FOO] <unknown><command><FOO>"}},
        {"340 5 send the bytes\n201 notes.txt 5 uploaded\n",
         {"status 340 [5 send the bytes] <5><send><the><bytes>",
          "status 201 [notes.txt 5 uploaded] <notes.txt><5><uploaded>"}},
        {"200 pong", {}},
        // Fewer fields, then none, then a shorter text than the line before.
        {"215 2 threads listed\nlong thread title\nx\n.\n200\n",
         {"status 215 [2 threads listed] <2><threads><listed>", "line [long thread title]",
          "line [x]", "end", "status 200 [] "}},
    });
}

BOOST_AUTO_TEST_CASE(reports_lines_that_are_not_responses) {
    checkRows({
        {"hello\n", {"malformed [hello]"}},
        {"\n", {"malformed []"}},
        {"20\n", {"malformed [20]"}},
        {"20 x\n", {"malformed [20 x]"}},
        {"2000 x\n", {"malformed [2000 x]"}},
        {"20a x\n", {"malformed [20a x]"}},
        {" 200 x\n", {"malformed [ 200 x]"}},
        {"200-x\n", {"malformed [200-x]"}},
        // A binary body's size is its first field; without it the body has no end.
        {"211\n", {"malformed [211]"}},
        {"211 x " + kSha + " f\n", {"malformed [211 x " + kSha + " f]"}},
        {"211 -1 " + kSha + " f\n", {"malformed [211 -1 " + kSha + " f]"}},
        {"211 99999999999999999999 x f\n", {"malformed [211 99999999999999999999 x f]"}},
    });
}

BOOST_AUTO_TEST_CASE(reports_notices_between_responses_and_before_a_body) {
    checkRows({
        {"200 pong\n600 server shutting down\n221 goodbye\n",
         {"status 200 [pong] <pong>", "notice 600 [server shutting down] <server><shutting><down>",
          "status 221 [goodbye] <goodbye>"}},
        {"601 idle timeout, closing\n215 2 threads\njedi\nsith\n.\n",
         {"notice 601 [idle timeout, closing] <idle><timeout,><closing>",
          "status 215 [2 threads] <2><threads>", "line [jedi]", "line [sith]", "end"}},
        {"600 server shutting down\n211 3 " + kSha + " f\nabc",
         {"notice 600 [server shutting down] <server><shutting><down>",
          "status 211 [3 " + kSha + " f] <3><" + kSha + "><f>", "data [abc]", "binary end"}},
        {"600\n", {"notice 600 [] "}},
    });
}

BOOST_AUTO_TEST_CASE(treats_a_notice_shaped_line_inside_a_body_as_body) {
    checkRows({
        {"210 1 entries\n600 server shutting down\n.\n600 now it is\n",
         {"status 210 [1 entries] <1><entries>", "line [600 server shutting down]", "end",
          "notice 600 [now it is] <now><it><is>"}},
    });
}

BOOST_AUTO_TEST_CASE(un_stuffs_line_bodies) {
    checkRows({
        {"210 2 entries\n1 yoda: do or do not\nyoda uploaded notes.txt\n.\n",
         {"status 210 [2 entries] <2><entries>", "line [1 yoda: do or do not]",
          "line [yoda uploaded notes.txt]", "end"}},
        {"215 5 lines\n..\n...\n..x\n.x\n\n.\n",
         {"status 215 [5 lines] <5><lines>", "line [.]", "line [..]", "line [.x]", "line [x]",
          "line []", "end"}},
        {"210 1 entries\r\n1 yoda: hi\r\n.\r\n",
         {"status 210 [1 entries] <1><entries>", "line [1 yoda: hi]", "end"}},
        {"215 0 threads\n.\n200 pong\n",
         {"status 215 [0 threads] <0><threads>", "end", "status 200 [pong] <pong>"}},
    });
}

BOOST_AUTO_TEST_CASE(round_trips_body_lines_through_format_and_back) {
    const std::vector<std::string> body = {
        ".", "..", "..x", ".x", "", "x.", "a.b", "...", ". dot and space", "plain",
    };
    std::string wire = format(Reply{Code::Listing, {std::to_string(body.size())}, "lines"});
    std::vector<std::string> expected = {"status 215 [" + std::to_string(body.size()) +
                                         " lines] <" + std::to_string(body.size()) + "><lines>"};
    for (const std::string& line : body) {
        wire += formatBodyLine(line);
        expected.push_back("line [" + line + "]");
    }
    wire += kBodyEnd;
    expected.push_back("end");
    checkRows({{wire, expected}});
}

BOOST_AUTO_TEST_CASE(reads_binary_bodies_of_any_bytes) {
    const std::string all = everyByteValue();
    checkRows({
        {"211 5 " + kSha + " notes.txt\nhello200 pong\n",
         {"status 211 [5 " + kSha + " notes.txt] <5><" + kSha + "><notes.txt>", "data [hello]",
          "binary end", "status 200 [pong] <pong>"}},
        // Line framing means nothing inside a binary body.
        {"211 3 x f\n\n.\n221 goodbye\n",
         {"status 211 [3 x f] <3><x><f>", "data [\n.\n]", "binary end",
          "status 221 [goodbye] <goodbye>"}},
        {"211 256 x all.bin\n" + all + "200 pong\n",
         {"status 211 [256 x all.bin] <256><x><all.bin>", "data [" + all + "]", "binary end",
          "status 200 [pong] <pong>"}},
        {"211 0 x empty.txt\n200 pong\n",
         {"status 211 [0 x empty.txt] <0><x><empty.txt>", "binary end",
          "status 200 [pong] <pong>"}},
        // A 6xx line inside the bytes is data.
        {"211 25 x f\n600 server shutting down\n",
         {"status 211 [25 x f] <25><x><f>", "data [600 server shutting down\n]", "binary end"}},
    });
}

BOOST_AUTO_TEST_CASE(hands_out_binary_data_in_chunks_no_larger_than_asked) {
    ResponseReader reader;
    reader.feed("211 10 x f\n0123");
    Collected out;
    drainInto(reader, out, 4);
    BOOST_TEST(
        out.events == (std::vector<std::string>{"status 211 [10 x f] <10><x><f>", "data [0123]"}),
        boost::test_tools::per_element());
    BOOST_TEST(reader.inBody());
    reader.feed("456789200 pong\n");
    std::vector<std::string> chunks;
    while (std::optional<ResponseEvent> event = reader.next(4)) {
        chunks.push_back(describe(*event));
    }
    BOOST_TEST(chunks == (std::vector<std::string>{"data [4567]", "data [89]", "binary end",
                                                   "status 200 [pong] <pong>"}),
               boost::test_tools::per_element());
    BOOST_TEST(out.largestChunk <= 4u);
}

BOOST_AUTO_TEST_CASE(knows_when_it_is_inside_a_body) {
    ResponseReader reader;
    BOOST_TEST(!reader.inBody());
    reader.feed("215 1 threads\njedi\n");
    BOOST_TEST((reader.next()->kind == Kind::Status));
    BOOST_TEST(reader.inBody());
    BOOST_TEST((reader.next()->kind == Kind::BodyLine));
    BOOST_TEST(reader.inBody());
    BOOST_TEST(!reader.next().has_value());
    reader.feed(".\n211 1 x f\nz");
    BOOST_TEST((reader.next()->kind == Kind::BodyEnd));
    BOOST_TEST(!reader.inBody());
    BOOST_TEST((reader.next()->kind == Kind::Status));
    BOOST_TEST(reader.inBody());
    BOOST_TEST((reader.next()->kind == Kind::BinaryData));
    BOOST_TEST(reader.inBody());
    BOOST_TEST((reader.next()->kind == Kind::BinaryEnd));
    BOOST_TEST(!reader.inBody());
    BOOST_TEST(reader.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(reports_a_line_over_the_limit_as_malformed) {
    // A limit of 16 counts the LF: "200 " + 11 bytes + LF fits, one byte more does not.
    ResponseReader fits(16);
    fits.feed("200 0123456789a\n");
    std::optional<ResponseEvent> event = fits.next();
    BOOST_TEST_REQUIRE(event.has_value());
    BOOST_TEST((event->kind == Kind::Status));

    ResponseReader over(16);
    over.feed("200 0123456789ab\n");
    event = over.next();
    BOOST_TEST_REQUIRE(event.has_value());
    BOOST_TEST((event->kind == Kind::Malformed));

    ResponseReader body(16);
    body.feed("210 1 entries\n0123456789abcdef\n");
    BOOST_TEST((body.next()->kind == Kind::Status));
    event = body.next();
    BOOST_TEST_REQUIRE(event.has_value());
    BOOST_TEST((event->kind == Kind::Malformed));
}

BOOST_AUTO_TEST_CASE(does_not_hold_an_endless_line) {
    ResponseReader reader(64);
    int malformed = 0;
    for (int i = 0; i < 100; ++i) {
        reader.feed(std::string(50, 'x'));
        while (std::optional<ResponseEvent> event = reader.next()) {
            malformed += event->kind == Kind::Malformed ? 1 : 0;
        }
        BOOST_TEST(reader.buffered() <= 64u);
    }
    BOOST_TEST(malformed == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::protocol
