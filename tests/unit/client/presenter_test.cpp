// Words for people (client/presenter.h): results and refusals by code and field, and text
// from the server made safe for a terminal.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "client/command.h"
#include "client/presenter.h"

namespace dfp::client {
namespace {

Reply reply(int code, std::string text, std::vector<std::string> body = {}) {
    Reply out;
    out.code = code;
    out.text = text;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t end = std::min(text.find(' ', pos), text.size());
        if (end > pos) {
            out.fields.push_back(text.substr(pos, end - pos));
        }
        pos = end + 1;
    }
    out.body = std::move(body);
    return out;
}

std::string success(const std::string& typed, const Reply& answer) {
    const std::vector<std::string> lines = describeSuccess(translateCommand(typed), answer);
    std::string all;
    for (const std::string& line : lines) {
        all += line + "\n";
    }
    return all;
}

std::string refusal(const std::string& typed, const Reply& answer) {
    return describeRefusal(translateCommand(typed), answer);
}

BOOST_AUTO_TEST_SUITE(presenter)

BOOST_AUTO_TEST_CASE(words_each_success_from_code_and_fields) {
    struct Row {
        std::string typed;
        Reply answer;
        std::string expected;
    };
    const std::vector<Row> rows = {
        {"CRT jedi", reply(201, "jedi thread created"), "Thread jedi created\n"},
        {"MSG jedi hi", reply(201, "3 message posted"), "Message #3 posted\n"},
        {"DLT jedi 3", reply(200, "message 3 deleted"), "Message #3 deleted\n"},
        {"EDT jedi 3 x", reply(200, "message 3 edited"), "Message #3 edited\n"},
        {"LST", reply(215, "0 threads"), "No threads yet\n"},
        {"LST", reply(215, "1 threads", {"jedi"}), "1 thread:\n  jedi\n"},
        {"RDT jedi", reply(210, "0 entries"), "Thread jedi is empty\n"},
        {"RDT jedi", reply(210, "1 entries", {"1 yoda: hi"}),
         "Thread jedi, 1 entry:\n  1 yoda: hi\n"},
        {"UPD jedi a.txt", reply(201, "a.txt 2048 uploaded"),
         "File a.txt uploaded to jedi (2.0 KiB)\n"},
        {"RMF jedi a.txt", reply(200, "file a.txt removed"), "File a.txt removed from jedi\n"},
        {"RMV jedi", reply(200, "thread jedi removed"), "Thread jedi removed\n"},
        {"XIT", reply(221, "goodbye"), "Goodbye\n"},
        {"SHT pw", reply(250, "shutting down"), "The server is shutting down\n"},
        {"PING", reply(200, "pong"), "The server is alive (pong)\n"},
    };
    for (const Row& row : rows) {
        BOOST_TEST(success(row.typed, row.answer) == row.expected, row.typed);
    }
}

BOOST_AUTO_TEST_CASE(uses_fields_not_the_words_around_them) {
    // protocol.md §2: the other words may be reworded.
    BOOST_TEST(success("MSG jedi hi", reply(201, "7 posted, thanks")) == "Message #7 posted\n");
    BOOST_TEST(success("DLT jedi 7", reply(200, "msg 7 gone")) == "Message #7 deleted\n");
}

BOOST_AUTO_TEST_CASE(words_each_refusal_by_code) {
    struct Row {
        std::string typed;
        Reply answer;
        std::string expected;
    };
    const std::vector<Row> rows = {
        {"CRT jedi", reply(409, "jedi thread exists"), "Thread jedi already exists"},
        {"MSG sith hi", reply(404, "no such thread"), "No thread sith"},
        {"RMV jedi", reply(403, "not the creator"),
         "Only the creator of thread jedi may remove it"},
        {"EDT jedi 2 x", reply(403, "not the author"),
         "Message #2 is not yours: only its author may edit it"},
        {"RMF jedi a.txt", reply(403, "no"),
         "Only the uploader of a.txt or the creator of thread jedi may remove it"},
        {"SHT nope", reply(403, "wrong admin password"), "Wrong admin password"},
        {"UPD jedi a.txt", reply(413, "file too large"),
         "File a.txt is larger than the server accepts (file too large)"},
        {"UPD jedi a.txt", reply(507, "storage full"),
         "The server's storage is full; nothing was stored"},
        {"LST", reply(429, "too many"),
         "Too many failed attempts; the server closed the connection"},
        {"MSG jedi x", reply(400, "text must not contain control characters"),
         "MSG refused: text must not contain control characters"},
    };
    for (const Row& row : rows) {
        BOOST_TEST(refusal(row.typed, row.answer) == row.expected, row.typed);
    }
}

BOOST_AUTO_TEST_CASE(words_login_steps) {
    BOOST_TEST(describeLoginRefusal(LoginStep::Pass, "yoda", reply(401, "wrong password")) ==
               "Wrong password for yoda");
    BOOST_TEST(describeLoginRefusal(LoginStep::Pass, "yoda", reply(409, "yoda is already")) ==
               "yoda is already logged in elsewhere (one session per user)");
    BOOST_TEST(describeLoginRefusal(LoginStep::User, "x y", reply(400, "invalid username"))
                   .starts_with("Invalid username x y"));
    BOOST_TEST(describeLoginRefusal(LoginStep::User, "vader", reply(403, "closed"))
                   .starts_with("Registration is closed"));
    BOOST_TEST(describeLoginSuccess(reply(230, "Yoda logged in"), "yoda") == "Logged in as Yoda");
    BOOST_TEST(describeLoginSuccess(reply(231, "yoda account created"), "yoda")
                   .starts_with("Welcome, yoda"));
}

BOOST_AUTO_TEST_CASE(words_notices) {
    BOOST_TEST(noticeEndsSession(600));
    BOOST_TEST(noticeEndsSession(601));
    BOOST_TEST(!noticeEndsSession(650));
    BOOST_TEST(describeNotice(600, "server shutting down").find("shutting down") !=
               std::string::npos);
    BOOST_TEST(describeNotice(650, "hello") == "Server notice 650: hello");
}

BOOST_AUTO_TEST_CASE(keeps_terminal_escapes_from_the_server_off_the_screen) {
    BOOST_TEST(printable("plain ÉTÉ 😀") == "plain ÉTÉ 😀");
    BOOST_TEST(printable("a\tb") == "a b");
    BOOST_TEST(printable("\x1b[2Jgone") == "?[2Jgone");
    BOOST_TEST(printable("bell\x07") == "bell?");
    BOOST_TEST(printable("del\x7f") == "del?");
    BOOST_TEST(printable("csi\xC2\x9B"
                         "31m") == "csi?31m");
    const std::vector<std::string> lines =
        describeSuccess(translateCommand("LST"), reply(215, "1 threads", {"\x1b]0;pwned\x07"}));
    BOOST_TEST(lines.at(1) == "  ?]0;pwned?");
}

BOOST_AUTO_TEST_CASE(formats_sizes_in_binary_units) {
    BOOST_TEST(formatBytes(0) == "0 B");
    BOOST_TEST(formatBytes(1023) == "1023 B");
    BOOST_TEST(formatBytes(1024) == "1.0 KiB");
    BOOST_TEST(formatBytes(1536) == "1.5 KiB");
    BOOST_TEST(formatBytes(20ull << 20) == "20.0 MiB");
    BOOST_TEST(formatBytes(1ull << 30) == "1.0 GiB");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dfp::client
