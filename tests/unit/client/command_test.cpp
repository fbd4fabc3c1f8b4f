// Turning a typed line into what the client does (client/command.h): requests sent as typed
// with the verb made canonical, UPD and DWN driven locally, HELP answered locally, and
// mistakes explained without a round trip.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "client/command.h"

namespace dfp::client {
namespace {

using Kind = Command::Kind;

int kindOf(const Command& command) {
    return static_cast<int>(command.kind);
}

BOOST_AUTO_TEST_SUITE(command_translation)

BOOST_AUTO_TEST_CASE(sends_requests_with_a_canonical_verb_and_the_rest_as_typed) {
    struct Row {
        std::string typed;
        std::string wire;
    };
    const std::vector<Row> rows = {
        {"CRT jedi", "CRT jedi"},
        {"crt jedi", "CRT jedi"},
        {"  Msg jedi   do or do not,  there is no try  ",
         "MSG jedi   do or do not,  there is no try  "},
        {"EDT jedi 3 new  text", "EDT jedi 3 new  text"},
        {"dlt jedi 3", "DLT jedi 3"},
        {"lst", "LST"},
        {"RDT jedi", "RDT jedi"},
        {"rmf jedi notes.txt", "RMF jedi notes.txt"},
        {"RMV jedi", "RMV jedi"},
        {"xit", "XIT"},
        {"ping", "PING"},
        {"capa", "CAPA"},
        {"SHT open sesame  twice", "SHT open sesame  twice"},
        {"CRT jedi\r", "CRT jedi"},
    };
    for (const Row& row : rows) {
        const Command command = translateCommand(row.typed);
        BOOST_TEST(kindOf(command) == static_cast<int>(Kind::Request), row.typed);
        BOOST_TEST(command.wireLine == row.wire, row.typed);
        BOOST_TEST(command.spec != nullptr);
    }
}

BOOST_AUTO_TEST_CASE(keeps_the_title_and_arguments_for_the_presenter) {
    const Command command = translateCommand("DLT jedi 12");
    BOOST_TEST(command.title == "jedi");
    BOOST_TEST(command.args == (std::vector<std::string>{"jedi", "12"}));
}

BOOST_AUTO_TEST_CASE(ignores_empty_and_blank_lines) {
    for (const char* line : {"", "   ", "\t", "\r"}) {
        BOOST_TEST(kindOf(translateCommand(line)) == static_cast<int>(Kind::Empty));
    }
}

BOOST_AUTO_TEST_CASE(answers_help_locally) {
    BOOST_TEST(kindOf(translateCommand("help")) == static_cast<int>(Kind::Help));
    const std::vector<std::string> lines = helpLines();
    std::string all;
    for (const std::string& line : lines) {
        all += line + "\n";
    }
    for (const char* verb : {"CRT", "MSG", "DLT", "EDT", "LST", "RDT", "UPD", "DWN", "RMF", "RMV",
                             "XIT", "SHT", "PING", "CAPA", "HELP"}) {
        BOOST_TEST(all.find(verb) != std::string::npos, verb);
    }
    BOOST_TEST(all.find("UPD <title> <file>") != std::string::npos);
    BOOST_TEST(all.find("USER") == std::string::npos);
    BOOST_TEST(all.find("PASS") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(turns_upd_into_an_upload_named_after_the_last_path_component) {
    const Command command = translateCommand("upd jedi ../docs/notes.txt");
    BOOST_TEST(kindOf(command) == static_cast<int>(Kind::Upload));
    BOOST_TEST(command.title == "jedi");
    BOOST_TEST(command.localPath == "../docs/notes.txt");
    BOOST_TEST(command.fileName == "notes.txt");
}

BOOST_AUTO_TEST_CASE(refuses_uploads_whose_name_the_server_would_refuse) {
    for (const char* line : {"UPD jedi dir/", "UPD jedi .hidden", "UPD jedi a/.profile", "UPD jedi",
                             "UPD jedi a b", "UPD jedi a 5 abcd"}) {
        const Command command = translateCommand(line);
        BOOST_TEST(kindOf(command) == static_cast<int>(Kind::Invalid), line);
        BOOST_TEST(!command.problem.empty(), line);
    }
    BOOST_TEST(translateCommand("UPD jedi a 5").problem.find("size and sha256") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(turns_dwn_into_a_download_with_an_optional_force) {
    const Command plain = translateCommand("dwn jedi notes.txt");
    BOOST_TEST(kindOf(plain) == static_cast<int>(Kind::Download));
    BOOST_TEST(plain.wireLine == "DWN jedi notes.txt");
    BOOST_TEST(plain.fileName == "notes.txt");
    BOOST_TEST(!plain.force);

    const Command forced = translateCommand("DWN jedi notes.txt --force");
    BOOST_TEST(kindOf(forced) == static_cast<int>(Kind::Download));
    BOOST_TEST(forced.wireLine == "DWN jedi notes.txt");
    BOOST_TEST(forced.force);

    TranslateContext overwrite;
    overwrite.overwrite = true;
    BOOST_TEST(translateCommand("DWN jedi notes.txt", overwrite).force);
}

BOOST_AUTO_TEST_CASE(refuses_downloads_that_could_leave_the_output_directory) {
    for (const char* line : {"DWN jedi ..", "DWN jedi .", "DWN jedi ../x", "DWN jedi a/b",
                             "DWN jedi /etc/passwd", "DWN jedi", "DWN jedi a --other"}) {
        BOOST_TEST(kindOf(translateCommand(line)) == static_cast<int>(Kind::Invalid), line);
    }
}

BOOST_AUTO_TEST_CASE(explains_mistakes_without_asking_the_server) {
    struct Row {
        std::string typed;
        std::string expected;  // part of the problem
    };
    const std::vector<Row> rows = {
        {"FOO bar", "Unknown command FOO"}, {"CRT", "Usage: CRT <title>"},
        {"CRT a b", "Usage: CRT <title>"},  {"MSG jedi", "Usage: MSG <title> <text>"},
        {"LST extra", "Usage: LST"},        {"USER yoda", "Already logged in"},
        {"PASS x", "Already logged in"},    {"SHT", "Usage: SHT"},
        {"HELP me", "Usage: HELP"},
    };
    for (const Row& row : rows) {
        const Command command = translateCommand(row.typed);
        BOOST_TEST(kindOf(command) == static_cast<int>(Kind::Invalid), row.typed);
        BOOST_TEST(command.problem.find(row.expected) != std::string::npos,
                   row.typed << " -> " << command.problem);
    }
}

BOOST_AUTO_TEST_CASE(asks_for_the_admin_password_when_sht_is_typed_alone_at_a_terminal) {
    TranslateContext terminal;
    terminal.interactive = true;
    const Command command = translateCommand("sht", terminal);
    BOOST_TEST(kindOf(command) == static_cast<int>(Kind::Request));
    BOOST_TEST(command.askSecret);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dfp::client
