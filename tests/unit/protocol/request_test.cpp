#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/request.h"

namespace dfp::protocol {
namespace {

using namespace std::literals;

struct ParseRow {
    std::string line;
    std::optional<Verb> verb;  // nullopt: unknown verb
    std::string_view verbText;
    std::vector<std::string> args;
    bool arityOk;
};

void checkParse(const std::vector<ParseRow>& rows) {
    for (const ParseRow& row : rows) {
        BOOST_TEST_CONTEXT("line [" << row.line << "]") {
            const Request request = parseRequest(row.line);
            if (row.verb) {
                BOOST_TEST_REQUIRE(request.spec != nullptr);
                BOOST_TEST((request.spec->verb == *row.verb));
            } else {
                BOOST_TEST(request.spec == nullptr);
            }
            BOOST_TEST(request.verbText == row.verbText);
            BOOST_TEST(request.args == row.args, boost::test_tools::per_element());
            BOOST_TEST(request.arityOk == row.arityOk);
            BOOST_TEST(request.validUtf8);
        }
    }
}

const std::string kSha(64, 'a');

}  // namespace

BOOST_AUTO_TEST_SUITE(request_parser)

BOOST_AUTO_TEST_CASE(recognises_every_verb_in_any_case) {
    checkParse({
        {"USER yoda", Verb::User, "USER", {"yoda"}, true},
        {"user yoda", Verb::User, "user", {"yoda"}, true},
        {"pass secret", Verb::Pass, "pass", {"secret"}, true},
        {"PaSs secret", Verb::Pass, "PaSs", {"secret"}, true},
        {"crt jedi", Verb::Crt, "crt", {"jedi"}, true},
        {"Crt jedi", Verb::Crt, "Crt", {"jedi"}, true},
        {"msg jedi hi", Verb::Msg, "msg", {"jedi", "hi"}, true},
        {"mSg jedi hi", Verb::Msg, "mSg", {"jedi", "hi"}, true},
        {"dlt jedi 1", Verb::Dlt, "dlt", {"jedi", "1"}, true},
        {"DlT jedi 1", Verb::Dlt, "DlT", {"jedi", "1"}, true},
        {"edt jedi 1 new", Verb::Edt, "edt", {"jedi", "1", "new"}, true},
        {"eDT jedi 1 new", Verb::Edt, "eDT", {"jedi", "1", "new"}, true},
        {"lst", Verb::Lst, "lst", {}, true},
        {"LsT", Verb::Lst, "LsT", {}, true},
        {"rdt jedi", Verb::Rdt, "rdt", {"jedi"}, true},
        {"rDt jedi", Verb::Rdt, "rDt", {"jedi"}, true},
        {"upd jedi notes.txt 5", Verb::Upd, "upd", {"jedi", "notes.txt", "5"}, true},
        {"Upd jedi notes.txt 5", Verb::Upd, "Upd", {"jedi", "notes.txt", "5"}, true},
        {"dwn jedi notes.txt", Verb::Dwn, "dwn", {"jedi", "notes.txt"}, true},
        {"dWN jedi notes.txt", Verb::Dwn, "dWN", {"jedi", "notes.txt"}, true},
        {"rmf jedi notes.txt", Verb::Rmf, "rmf", {"jedi", "notes.txt"}, true},
        {"RmF jedi notes.txt", Verb::Rmf, "RmF", {"jedi", "notes.txt"}, true},
        {"rmv jedi", Verb::Rmv, "rmv", {"jedi"}, true},
        {"RMv jedi", Verb::Rmv, "RMv", {"jedi"}, true},
        {"xit", Verb::Xit, "xit", {}, true},
        {"XiT", Verb::Xit, "XiT", {}, true},
        {"sht admin", Verb::Sht, "sht", {"admin"}, true},
        {"ShT admin", Verb::Sht, "ShT", {"admin"}, true},
        {"ping", Verb::Ping, "ping", {}, true},
        {"PiNg", Verb::Ping, "PiNg", {}, true},
        {"capa", Verb::Capa, "capa", {}, true},
        {"CaPa", Verb::Capa, "CaPa", {}, true},
        {"help", Verb::Help, "help", {}, true},
        {"hElP", Verb::Help, "hElP", {}, true},
    });
}

BOOST_AUTO_TEST_CASE(separates_arguments_by_runs_of_spaces) {
    checkParse({
        {"CRT   jedi   ", Verb::Crt, "CRT", {"jedi"}, true},
        {"   PING", Verb::Ping, "PING", {}, true},
        {"PING   ", Verb::Ping, "PING", {}, true},
        {"DLT  jedi    12", Verb::Dlt, "DLT", {"jedi", "12"}, true},
        {"UPD jedi notes.txt 5 " + kSha, Verb::Upd, "UPD", {"jedi", "notes.txt", "5", kSha}, true},
        // Only SP separates; a TAB stays inside its token for the validators to refuse.
        {"CRT a\tb", Verb::Crt, "CRT", {"a\tb"}, true},
    });
}

BOOST_AUTO_TEST_CASE(keeps_the_rest_of_the_line_exactly) {
    checkParse({
        {"MSG jedi do or do not, there is no try",
         Verb::Msg,
         "MSG",
         {"jedi", "do or do not, there is no try"},
         true},
        {"MSG   jedi    hello   world  ", Verb::Msg, "MSG", {"jedi", "hello   world  "}, true},
        {"MSG jedi a\tb", Verb::Msg, "MSG", {"jedi", "a\tb"}, true},
        {"MSG jedi .", Verb::Msg, "MSG", {"jedi", "."}, true},
        {"EDT jedi 3  new  text ", Verb::Edt, "EDT", {"jedi", "3", "new  text "}, true},
        {"EDT jedi 3 x", Verb::Edt, "EDT", {"jedi", "3", "x"}, true},
        {"PASS wise old one", Verb::Pass, "PASS", {"wise old one"}, true},
        {"PASS   leading spaces are separators",
         Verb::Pass,
         "PASS",
         {"leading spaces are separators"},
         true},
        {"PASS trailing  ", Verb::Pass, "PASS", {"trailing  "}, true},
        {"SHT  admin pass word ", Verb::Sht, "SHT", {"admin pass word "}, true},
    });
}

BOOST_AUTO_TEST_CASE(flags_a_wrong_argument_count) {
    checkParse({
        {"USER", Verb::User, "USER", {}, false},
        {"USER a b", Verb::User, "USER", {"a", "b"}, false},
        {"PASS", Verb::Pass, "PASS", {}, false},
        {"PASS   ", Verb::Pass, "PASS", {}, false},
        {"CRT", Verb::Crt, "CRT", {}, false},
        {"CRT   ", Verb::Crt, "CRT", {}, false},
        {"CRT a b", Verb::Crt, "CRT", {"a", "b"}, false},
        {"MSG", Verb::Msg, "MSG", {}, false},
        {"MSG jedi", Verb::Msg, "MSG", {"jedi"}, false},
        {"MSG jedi    ", Verb::Msg, "MSG", {"jedi"}, false},
        {"DLT jedi", Verb::Dlt, "DLT", {"jedi"}, false},
        {"DLT jedi 1 2", Verb::Dlt, "DLT", {"jedi", "1", "2"}, false},
        {"EDT jedi", Verb::Edt, "EDT", {"jedi"}, false},
        {"EDT jedi 1", Verb::Edt, "EDT", {"jedi", "1"}, false},
        {"EDT jedi 1   ", Verb::Edt, "EDT", {"jedi", "1"}, false},
        {"LST x", Verb::Lst, "LST", {"x"}, false},
        {"RDT", Verb::Rdt, "RDT", {}, false},
        {"UPD jedi notes.txt", Verb::Upd, "UPD", {"jedi", "notes.txt"}, false},
        {"UPD jedi notes.txt 5 " + kSha + " extra",
         Verb::Upd,
         "UPD",
         {"jedi", "notes.txt", "5", kSha, "extra"},
         false},
        {"DWN jedi", Verb::Dwn, "DWN", {"jedi"}, false},
        {"RMF jedi", Verb::Rmf, "RMF", {"jedi"}, false},
        {"RMV", Verb::Rmv, "RMV", {}, false},
        {"XIT now", Verb::Xit, "XIT", {"now"}, false},
        {"SHT", Verb::Sht, "SHT", {}, false},
        {"PING x", Verb::Ping, "PING", {"x"}, false},
        {"CAPA x", Verb::Capa, "CAPA", {"x"}, false},
        {"HELP MSG", Verb::Help, "HELP", {"MSG"}, false},
    });
}

BOOST_AUTO_TEST_CASE(reports_an_unknown_verb_as_typed) {
    checkParse({
        {"FOO bar", std::nullopt, "FOO", {}, false},
        {"quit", std::nullopt, "quit", {}, false},
        {"  MSGX jedi hi", std::nullopt, "MSGX", {}, false},
        {"CRT\tjedi", std::nullopt, "CRT\tjedi", {}, false},
    });
}

BOOST_AUTO_TEST_CASE(reports_no_verb_for_an_empty_line) {
    checkParse({
        {"", std::nullopt, "", {}, false},
        {"     ", std::nullopt, "", {}, false},
    });
}

BOOST_AUTO_TEST_CASE(flags_a_line_of_invalid_utf8) {
    const std::string_view invalid[] = {
        "MSG jedi \xFF",         "CRT \xC3", "MSG jedi caf\xC3\xA9 \xED\xA0\x80", "\xC0\xAF",
        "PASS \xF4\x90\x80\x80",
    };
    for (std::string_view line : invalid) {
        BOOST_TEST_CONTEXT("line [" << line << "]") {
            BOOST_TEST(!parseRequest(line).validUtf8);
        }
    }
    const std::string_view valid[] = {"MSG jedi caf\xC3\xA9", "CRT \xE6\x97\xA5\xE6\x9C\xAC",
                                      "PASS \xF0\x9F\x98\x80", ""};
    for (std::string_view line : valid) {
        BOOST_TEST_CONTEXT("line [" << line << "]") {
            BOOST_TEST(parseRequest(line).validUtf8);
        }
    }
}

BOOST_AUTO_TEST_CASE(parses_message_numbers_of_1_to_18_digits) {
    const std::pair<std::string_view, long long> valid[] = {
        {"1", 1},
        {"0", 0},
        {"42", 42},
        {"007", 7},
        {"000000000000000007", 7},
        {"999999999999999999", 999999999999999999LL},
    };
    for (const auto& [text, value] : valid) {
        BOOST_TEST_CONTEXT("number [" << text << "]") {
            const std::optional<long long> parsed = parseMessageNumber(text);
            BOOST_TEST_REQUIRE(parsed.has_value());
            BOOST_TEST(*parsed == value);
        }
    }
    const std::string_view invalid[] = {
        "", "1000000000000000000", "-1", "+1", " 1", "1 ", "1a", "0x1", "1.0", "\xEF\xBC\x91",
    };
    for (std::string_view text : invalid) {
        BOOST_TEST_CONTEXT("number [" << text << "]") {
            BOOST_TEST(!parseMessageNumber(text).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(parses_sizes_up_to_int64_max) {
    const std::pair<std::string_view, unsigned long long> valid[] = {
        {"0", 0},
        {"5", 5},
        {"1073741824", 1073741824ULL},
        {"9223372036854775807", 9223372036854775807ULL},
        {"0000000000000000001", 1},
    };
    for (const auto& [text, value] : valid) {
        BOOST_TEST_CONTEXT("size [" << text << "]") {
            const std::optional<unsigned long long> parsed = parseSize(text);
            BOOST_TEST_REQUIRE(parsed.has_value());
            BOOST_TEST(*parsed == value);
        }
    }
    const std::string_view invalid[] = {
        "",
        "9223372036854775808",
        "9999999999999999999",
        "00000000000000000001",
        "-0",
        "+5",
        "5 ",
        " 5",
        "1e3",
        "five",
    };
    for (std::string_view text : invalid) {
        BOOST_TEST_CONTEXT("size [" << text << "]") {
            BOOST_TEST(!parseSize(text).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(parses_a_sha256_of_64_hex_digits_in_either_case) {
    const std::string lower = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    std::string upper = lower;
    for (char& c : upper) {
        if (c >= 'a' && c <= 'f') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    std::string mixed = lower;
    mixed[1] = 'C';
    mixed[5] = 'D';
    const std::pair<std::string, std::string> valid[] = {
        {lower, lower},
        {upper, lower},
        {mixed, lower},
        {std::string(64, '0'), std::string(64, '0')},
        {std::string(64, 'F'), std::string(64, 'f')},
    };
    for (const auto& [text, expected] : valid) {
        BOOST_TEST_CONTEXT("sha256 [" << text << "]") {
            const std::optional<std::string> parsed = parseSha256(text);
            BOOST_TEST_REQUIRE(parsed.has_value());
            BOOST_TEST(*parsed == expected);
        }
    }
    const std::string invalid[] = {
        "",
        lower.substr(0, 63),
        lower + "0",
        lower.substr(0, 63) + "g",
        lower.substr(0, 63) + " ",
        " " + lower.substr(1),
        std::string(64, 'x'),
    };
    for (const std::string& text : invalid) {
        BOOST_TEST_CONTEXT("sha256 [" << text << "]") {
            BOOST_TEST(!parseSha256(text).has_value());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::protocol
