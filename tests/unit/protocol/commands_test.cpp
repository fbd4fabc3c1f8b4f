#include <set>
#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "protocol/commands.h"

namespace dfp::protocol {
namespace {

using namespace std::literals;

struct CommandRow {
    Verb verb;
    std::string_view name;
    int minArgs;
    int maxArgs;
    bool restOfLine;
    bool beforeLogin;
    std::string_view usage;
};

// protocol.md §3-§4, in HELP order.
const CommandRow kExpected[] = {
    {Verb::User, "USER", 1, 1, false, true, "USER <username>"},
    {Verb::Pass, "PASS", 1, 1, true, true, "PASS <password>"},
    {Verb::Crt, "CRT", 1, 1, false, false, "CRT <title>"},
    {Verb::Msg, "MSG", 2, 2, true, false, "MSG <title> <text>"},
    {Verb::Dlt, "DLT", 2, 2, false, false, "DLT <title> <n>"},
    {Verb::Edt, "EDT", 3, 3, true, false, "EDT <title> <n> <text>"},
    {Verb::Lst, "LST", 0, 0, false, false, "LST"},
    {Verb::Rdt, "RDT", 1, 1, false, false, "RDT <title>"},
    {Verb::Upd, "UPD", 3, 4, false, false, "UPD <title> <file> <size> [<sha256>]"},
    {Verb::Dwn, "DWN", 2, 2, false, false, "DWN <title> <file>"},
    {Verb::Rmf, "RMF", 2, 2, false, false, "RMF <title> <file>"},
    {Verb::Rmv, "RMV", 1, 1, false, false, "RMV <title>"},
    {Verb::Xit, "XIT", 0, 0, false, true, "XIT"},
    {Verb::Sht, "SHT", 1, 1, true, true, "SHT <admin-password>"},
    {Verb::Ping, "PING", 0, 0, false, true, "PING"},
    {Verb::Capa, "CAPA", 0, 0, false, true, "CAPA"},
    {Verb::Help, "HELP", 0, 0, false, true, "HELP"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(command_table)

BOOST_AUTO_TEST_CASE(lists_every_command_of_the_protocol_in_help_order) {
    const auto table = commands();
    BOOST_TEST_REQUIRE(table.size() == std::size(kExpected));
    for (std::size_t i = 0; i < table.size(); ++i) {
        const CommandRow& want = kExpected[i];
        const CommandSpec& got = table[i];
        BOOST_TEST_CONTEXT("command " << want.name) {
            BOOST_TEST((got.verb == want.verb));
            BOOST_TEST(got.name == want.name);
            BOOST_TEST(got.minArgs == want.minArgs);
            BOOST_TEST(got.maxArgs == want.maxArgs);
            BOOST_TEST(got.restOfLine == want.restOfLine);
            BOOST_TEST(got.beforeLogin == want.beforeLogin);
            BOOST_TEST(got.usage == want.usage);
        }
    }
}

BOOST_AUTO_TEST_CASE(gives_every_command_a_one_line_summary) {
    for (const CommandSpec& spec : commands()) {
        BOOST_TEST_CONTEXT("command " << spec.name) {
            BOOST_TEST(!spec.summary.empty());
            BOOST_TEST(spec.summary.find_first_of("\r\n") == std::string_view::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(spec_of_returns_the_row_of_each_verb) {
    for (const CommandRow& row : kExpected) {
        BOOST_TEST_CONTEXT("command " << row.name) {
            BOOST_TEST((specOf(row.verb).verb == row.verb));
            BOOST_TEST(specOf(row.verb).name == row.name);
        }
    }
}

BOOST_AUTO_TEST_CASE(finds_every_verb_in_any_case) {
    for (const CommandRow& row : kExpected) {
        std::string lower(row.name);
        std::string mixed(row.name);
        for (std::size_t i = 0; i < lower.size(); ++i) {
            lower[i] = static_cast<char>(lower[i] - 'A' + 'a');
            if (i % 2 == 1) {
                mixed[i] = lower[i];
            }
        }
        for (const std::string& typed : {std::string(row.name), lower, mixed}) {
            BOOST_TEST_CONTEXT("typed " << typed) {
                const CommandSpec* spec = findCommand(typed);
                BOOST_TEST_REQUIRE(spec != nullptr);
                BOOST_TEST((spec->verb == row.verb));
                BOOST_TEST(spec == &specOf(row.verb));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(finds_nothing_for_an_unknown_verb) {
    const std::string_view unknown[] = {
        "",      "FOO", "USERS", "US",   "MS",          "MSG ",    " MSG",
        "MSG\r", "PIN", "PINGG", "QUIT", "\xC3\x9CSER", "L\0ST"sv, "help!",
    };
    for (std::string_view typed : unknown) {
        BOOST_TEST_CONTEXT("typed " << typed) {
            BOOST_TEST(findCommand(typed) == nullptr);
        }
    }
}

BOOST_AUTO_TEST_CASE(names_are_unique_and_upper_case) {
    std::set<std::string_view> names;
    for (const CommandSpec& spec : commands()) {
        BOOST_TEST(names.insert(spec.name).second);
        for (char c : spec.name) {
            BOOST_TEST((c >= 'A' && c <= 'Z'));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::protocol
