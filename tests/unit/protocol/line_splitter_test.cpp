#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/line_splitter.h"

namespace dfp::protocol {
namespace {

// Events as text, so a whole sequence compares in one assertion: "L:<text>" or "TOO_LONG".
std::vector<std::string> drain(LineSplitter& splitter) {
    std::vector<std::string> events;
    while (std::optional<LineEvent> event = splitter.next()) {
        events.push_back(event->kind == LineEvent::Kind::Line ? "L:" + event->text : "TOO_LONG");
    }
    return events;
}

std::vector<std::string> splitWhole(std::string_view bytes, std::size_t maxLine = kDefaultMaxLine) {
    LineSplitter splitter(maxLine);
    splitter.feed(bytes);
    return drain(splitter);
}

// One byte per feed, draining after each, as a slow peer would deliver them.
std::vector<std::string> splitByteByByte(std::string_view bytes,
                                         std::size_t maxLine = kDefaultMaxLine) {
    LineSplitter splitter(maxLine);
    std::vector<std::string> events;
    for (char c : bytes) {
        splitter.feed(std::string_view(&c, 1));
        for (std::string& event : drain(splitter)) {
            events.push_back(std::move(event));
        }
    }
    return events;
}

struct SplitRow {
    std::string input;
    std::vector<std::string> expected;
};

void checkRows(const std::vector<SplitRow>& rows, std::size_t maxLine = kDefaultMaxLine) {
    for (const SplitRow& row : rows) {
        BOOST_TEST_CONTEXT("input of " << row.input.size()
                                       << " bytes: " << row.input.substr(0, 40)) {
            BOOST_TEST(splitWhole(row.input, maxLine) == row.expected,
                       boost::test_tools::per_element());
            BOOST_TEST(splitByteByByte(row.input, maxLine) == row.expected,
                       boost::test_tools::per_element());
        }
    }
}

const std::string kLimitText(8191, 'a');  // 8191 + LF = 8192, the default limit

}  // namespace

BOOST_AUTO_TEST_SUITE(line_splitter)

BOOST_AUTO_TEST_CASE(splits_lines_ended_by_lf_or_crlf) {
    checkRows({
        {"PING\n", {"L:PING"}},
        {"PING\r\n", {"L:PING"}},
        {"\n", {"L:"}},
        {"\r\n", {"L:"}},
        {"MSG jedi do or do not\n", {"L:MSG jedi do or do not"}},
        {"trailing spaces  \r\n", {"L:trailing spaces  "}},
        // Only one CR right before the LF is framing; any other CR is part of the text.
        {"a\rb\n", {"L:a\rb"}},
        {"a\r\r\n", {"L:a\r"}},
        {"\r\r\n", {"L:\r"}},
        {"\ra\n", {"L:\ra"}},
        {"a\r", {}},
        {"no line end yet", {}},
        {"", {}},
    });
}

BOOST_AUTO_TEST_CASE(returns_several_pipelined_lines_from_one_feed) {
    checkRows({
        {"USER yoda\nPASS wise old one\r\nCRT jedi\n",
         {"L:USER yoda", "L:PASS wise old one", "L:CRT jedi"}},
        {"\n\n\r\n", {"L:", "L:", "L:"}},
        {"LST\nRDT jedi\nPART", {"L:LST", "L:RDT jedi"}},
    });
}

BOOST_AUTO_TEST_CASE(accepts_a_line_of_exactly_the_limit) {
    checkRows({
        {kLimitText + "\n", {"L:" + kLimitText}},
        {std::string(8190, 'a') + "\r\n", {"L:" + std::string(8190, 'a')}},
        {kLimitText + "\nPING\n", {"L:" + kLimitText, "L:PING"}},
    });
}

BOOST_AUTO_TEST_CASE(rejects_a_line_one_byte_over_the_limit) {
    checkRows({
        {std::string(8192, 'a') + "\n", {"TOO_LONG"}},
        // The CR counts toward the limit.
        {std::string(8191, 'a') + "\r\n", {"TOO_LONG"}},
        {std::string(100000, 'a') + "\n", {"TOO_LONG"}},
    });
}

BOOST_AUTO_TEST_CASE(applies_a_configured_limit) {
    checkRows(
        {
            {"abc\n", {"L:abc"}},
            {"ab\r\n", {"L:ab"}},
            {"abcd\n", {"TOO_LONG"}},
            {"abc\r\n", {"TOO_LONG"}},
            {"abcdefgh\nab\n", {"TOO_LONG", "L:ab"}},
        },
        4);
}

BOOST_AUTO_TEST_CASE(keeps_the_session_going_after_a_line_too_long) {
    const std::string tooLong(9000, 'x');
    checkRows({
        {tooLong + "\nPING\n", {"TOO_LONG", "L:PING"}},
        {"USER yoda\n" + tooLong + "\r\nPING\nXIT\n",
         {"L:USER yoda", "TOO_LONG", "L:PING", "L:XIT"}},
        {tooLong + "\n" + tooLong + "\nLST\n", {"TOO_LONG", "TOO_LONG", "L:LST"}},
        {tooLong + "\n\n", {"TOO_LONG", "L:"}},
    });
}

BOOST_AUTO_TEST_CASE(reports_a_line_too_long_once_when_its_lf_arrives) {
    LineSplitter splitter;
    const std::string chunk(1000, 'x');
    for (int i = 0; i < 100; ++i) {
        splitter.feed(chunk);
        BOOST_TEST(drain(splitter).empty());
        // Dropped as it arrives: never more than one limit's worth is held.
        BOOST_TEST(splitter.bufferedRaw() <= kDefaultMaxLine);
    }
    splitter.feed("tail\nPI");
    BOOST_TEST(drain(splitter) == std::vector<std::string>{"TOO_LONG"},
               boost::test_tools::per_element());
    splitter.feed("NG\n");
    BOOST_TEST(drain(splitter) == std::vector<std::string>{"L:PING"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(keeps_bytes_fed_after_the_end_of_a_discarded_line) {
    LineSplitter splitter(8);
    splitter.feed(std::string(20, 'x'));
    BOOST_TEST(drain(splitter).empty());
    // Two feeds before the next drain: the second belongs to the line after the long one.
    splitter.feed("xx\nAB");
    splitter.feed("C\n");
    BOOST_TEST(drain(splitter) == (std::vector<std::string>{"TOO_LONG", "L:ABC"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(assembles_a_line_split_across_many_one_byte_feeds) {
    LineSplitter splitter;
    const std::string line = "MSG jedi do or do not, there is no try";
    for (char c : line + "\r") {
        splitter.feed(std::string_view(&c, 1));
        BOOST_TEST(!splitter.next().has_value());
    }
    splitter.feed("\n");
    BOOST_TEST(drain(splitter) == std::vector<std::string>{"L:" + line},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(hands_out_raw_bytes_buffered_after_a_line) {
    LineSplitter splitter;
    splitter.feed("UPD jedi notes.txt 5\nhel");
    BOOST_TEST(drain(splitter) == std::vector<std::string>{"L:UPD jedi notes.txt 5"},
               boost::test_tools::per_element());
    BOOST_TEST(splitter.bufferedRaw() == 3u);
    splitter.feed("lo");
    BOOST_TEST(splitter.bufferedRaw() == 5u);
    BOOST_TEST(splitter.takeRaw(2) == "he");
    BOOST_TEST(splitter.takeRaw(100) == "llo");
    BOOST_TEST(splitter.bufferedRaw() == 0u);
    BOOST_TEST(splitter.takeRaw(10) == "");
}

BOOST_AUTO_TEST_CASE(resumes_lines_after_raw_bytes_that_hold_line_ends) {
    LineSplitter upload;
    upload.feed("UPD jedi f 5\na\n.\nbPING\nXIT\n");
    const std::optional<LineEvent> request = upload.next();
    BOOST_TEST_REQUIRE(request.has_value());
    BOOST_TEST(request->text == "UPD jedi f 5");
    BOOST_TEST(upload.takeRaw(5) == "a\n.\nb");
    BOOST_TEST(drain(upload) == (std::vector<std::string>{"L:PING", "L:XIT"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(finds_the_line_end_after_raw_bytes_were_taken_from_a_scanned_prefix) {
    LineSplitter splitter;
    splitter.feed("UPD t f 2\nabc");
    BOOST_TEST(drain(splitter) == std::vector<std::string>{"L:UPD t f 2"},
               boost::test_tools::per_element());
    BOOST_TEST(splitter.takeRaw(2) == "ab");
    splitter.feed("d\n");
    BOOST_TEST(drain(splitter) == std::vector<std::string>{"L:cd"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::protocol
