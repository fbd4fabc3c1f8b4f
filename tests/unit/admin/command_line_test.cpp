// The command line: the parser against the command table, usage errors (exit 2), --help.

#include <string>
#include <variant>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "admin/commands.h"
#include "admin/options.h"
#include "admin_fixture.h"

using dfp::admin::Invocation;
using dfp::admin::parseCommandLine;
using dfp::admin::UsageError;
using dfp::test::AdminFixture;

namespace {

Invocation parsed(const std::vector<std::string>& args) {
    auto result = parseCommandLine(args);
    if (const auto* error = std::get_if<UsageError>(&result)) {
        BOOST_FAIL("usage error: " << error->message);
    }
    return std::get<Invocation>(result);
}

std::string usageError(const std::vector<std::string>& args) {
    auto result = parseCommandLine(args);
    const auto* error = std::get_if<UsageError>(&result);
    BOOST_REQUIRE_MESSAGE(error != nullptr, "no usage error");
    return error->message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_command_line)

BOOST_AUTO_TEST_CASE(parses_global_options_the_command_and_its_arguments) {
    const Invocation a = parsed({"--data-dir=/srv/forum", "--json", "remove-message", "t", "7"});
    BOOST_TEST(a.dataDir == "/srv/forum");
    BOOST_TEST(a.json);
    BOOST_REQUIRE(a.command != nullptr);
    BOOST_TEST(a.command->name == "remove-message");
    BOOST_TEST(a.args == (std::vector<std::string>{"t", "7"}));

    const Invocation b = parsed({"shutdown", "--port", "6000", "--host=example.org", "--json"});
    BOOST_TEST(b.dataDir == "dfp-data");
    BOOST_TEST(b.json);
    BOOST_TEST(b.option("port").value_or("") == "6000");
    BOOST_TEST(b.option("host").value_or("") == "example.org");
    BOOST_TEST(!b.has("timeout"));

    // "--" ends the options: a title may start with a dash.
    const Invocation c = parsed({"show", "--", "--weird-title"});
    BOOST_TEST(c.args == (std::vector<std::string>{"--weird-title"}));
    BOOST_TEST(parsed({"files"}).args.empty());
}

BOOST_AUTO_TEST_CASE(refuses_a_wrong_command_line_with_one_clear_line) {
    BOOST_TEST(usageError({}) == "no command given");
    BOOST_TEST(usageError({"--json"}) == "no command given");
    BOOST_TEST(usageError({"frobnicate"}) == "unknown command 'frobnicate'");
    BOOST_TEST(usageError({"show"}) == "usage: dfp-admin show TITLE");
    BOOST_TEST(usageError({"stats", "extra"}) == "usage: dfp-admin stats");
    BOOST_TEST(usageError({"remove-message", "t"}) == "usage: dfp-admin remove-message TITLE N");
    BOOST_TEST(usageError({"--colour", "stats"}) == "unknown option --colour");
    BOOST_TEST(usageError({"-x", "stats"}) == "unknown option -x");
    BOOST_TEST(usageError({"stats", "--port=1"}) == "option --port does not apply to stats");
    BOOST_TEST(usageError({"--json=yes", "stats"}) == "option --json takes no value");
    BOOST_TEST(usageError({"stats", "--data-dir"}) ==
               "option --data-dir needs a value (--data-dir=DIR)");
    BOOST_TEST(usageError({"--data-dir=", "stats"}) == "--data-dir needs a directory");
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_with_a_hint) {
    AdminFixture fixture;
    const auto run = fixture.runRaw({"frobnicate"});
    BOOST_TEST(run.status == 2);
    BOOST_TEST(run.err ==
               "dfp-admin: unknown command 'frobnicate' (dfp-admin --help lists the "
               "commands)\n");
    BOOST_TEST(run.out.empty());
    BOOST_TEST(fixture.runRaw({}).status == 2);
    BOOST_TEST(fixture.runRaw({"shutdown", "--port=0"}).status == 2);
    BOOST_TEST(fixture.runRaw({"shutdown", "--port=http"}).status == 2);
    BOOST_TEST(fixture.runRaw({"shutdown", "--timeout=0"}).status == 2);
}

BOOST_AUTO_TEST_CASE(help_lists_every_command_and_option) {
    AdminFixture fixture;
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--help"}, std::vector<std::string>{"-h"},
          std::vector<std::string>{"help"}, std::vector<std::string>{"stats", "--help"}}) {
        const auto run = fixture.runRaw(args);
        BOOST_TEST(run.status == 0, run);
        BOOST_TEST(run.out.find("usage: dfp-admin [--data-dir=DIR] [--json] COMMAND [ARGS]") == 0u,
                   run);
        for (const auto& command : dfp::admin::commandTable()) {
            BOOST_TEST(run.out.find("  " + std::string(command.name)) != std::string::npos,
                       command.name);
            for (const auto& option : command.options) {
                BOOST_TEST(run.out.find("--" + std::string(option.name)) != std::string::npos,
                           option.name);
            }
        }
    }
    const auto version = fixture.runRaw({"--version"});
    BOOST_TEST(version.status == 0);
    BOOST_TEST(version.out.find("dfp-admin ") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
