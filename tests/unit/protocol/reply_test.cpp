#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/reply.h"

namespace dfp::protocol {
namespace {

const std::string kSha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

}  // namespace

BOOST_AUTO_TEST_SUITE(reply_format)

BOOST_AUTO_TEST_CASE(formats_code_fields_and_text_on_one_line) {
    const std::pair<Reply, std::string> rows[] = {
        {{Code::Ready, {"DFP/1", "forum"}, "ready"}, "200 DFP/1 forum ready\n"},
        {{Code::Ok, {}, "pong"}, "200 pong\n"},
        {{Code::Created, {"1"}, "message posted"}, "201 1 message posted\n"},
        {{Code::Created, {"notes.txt", "5"}, "uploaded"}, "201 notes.txt 5 uploaded\n"},
        {{Code::FileFollows, {"5", kSha, "notes.txt"}, ""}, "211 5 " + kSha + " notes.txt\n"},
        {{Code::Entries, {"2"}, "entries"}, "210 2 entries\n"},
        {{Code::Listing, {"3"}, "capabilities"}, "215 3 capabilities\n"},
        {{Code::SendBytes, {"5"}, "send the bytes"}, "340 5 send the bytes\n"},
        {{Code::Goodbye, {}, "goodbye"}, "221 goodbye\n"},
        {{Code::ChoosePassword, {}, "new account, choose a password"},
         "332 new account, choose a password\n"},
        {{Code::BadRequest, {}, "usage: MSG <title> <text>"}, "400 usage: MSG <title> <text>\n"},
        {{Code::LineTooLong, {}, "line too long"}, "414 line too long\n"},
        {{Code::ServerBusy, {}, "server busy"}, "503 server busy\n"},
        {{Code::NoticeShutdown, {}, "server shutting down"}, "600 server shutting down\n"},
        {{Code::NoticeIdle, {}, "idle timeout, closing"}, "601 idle timeout, closing\n"},
        // Text is for people and goes out as given, inner spaces and tabs included.
        {{Code::BadRequest, {}, "two  spaces\tand a tab"}, "400 two  spaces\tand a tab\n"},
        {{Code::Ok, {}, ""}, "200\n"},
        {{Code::Created, {"jedi"}, ""}, "201 jedi\n"},
    };
    for (const auto& [reply, expected] : rows) {
        BOOST_TEST_CONTEXT("expected " << expected) {
            BOOST_TEST(format(reply) == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(refuses_replies_that_would_break_framing) {
    const Reply invalid[] = {
        {Code::Created, {""}, "thread created"},
        {Code::Created, {"a b"}, "thread created"},
        {Code::Created, {"a\rb"}, "thread created"},
        {Code::Created, {"a\nb"}, "thread created"},
        {Code::Created, {"jedi\n"}, "thread created"},
        {Code::Created, {"ok", ""}, "message posted"},
        {Code::Created, {"ok", " "}, "message posted"},
        {Code::BadRequest, {}, "line one\nline two"},
        {Code::BadRequest, {}, "ends with CR\r"},
        {Code::BadRequest, {}, "\n"},
    };
    for (const Reply& reply : invalid) {
        BOOST_TEST_CONTEXT("text " << reply.text) {
            BOOST_CHECK_THROW(format(reply), FramingError);
        }
    }
}

BOOST_AUTO_TEST_CASE(dot_stuffs_body_lines_that_begin_with_a_dot) {
    const std::pair<std::string_view, std::string_view> rows[] = {
        {"", "\n"},
        {"jedi", "jedi\n"},
        {"1 yoda: do or do not", "1 yoda: do or do not\n"},
        {".", "..\n"},
        {"..", "...\n"},
        {".x", "..x\n"},
        {"..x", "...x\n"},
        {"x.", "x.\n"},
        {"a.b", "a.b\n"},
        {" .", " .\n"},
        {"tab\tinside", "tab\tinside\n"},
    };
    for (const auto& [text, expected] : rows) {
        BOOST_TEST_CONTEXT("text [" << text << "]") {
            BOOST_TEST(formatBodyLine(text) == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(refuses_body_lines_with_line_breaks) {
    const std::string_view invalid[] = {"a\rb", "a\nb", "\n", "\r", ".\n", "end\r"};
    for (std::string_view text : invalid) {
        BOOST_CHECK_THROW(formatBodyLine(text), FramingError);
    }
}

BOOST_AUTO_TEST_CASE(ends_a_body_with_a_lone_dot) {
    BOOST_TEST(kBodyEnd == ".\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::protocol
