// The dfp-client command line (docs/client.md): defaults, the original positional form,
// both option spellings, and what must be refused.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "client/options.h"

namespace dfp::client {
namespace {

using Action = ParsedOptions::Action;

ParsedOptions parse(std::vector<std::string> args) {
    return parseOptions(args);
}

BOOST_AUTO_TEST_SUITE(client_options)

BOOST_AUTO_TEST_CASE(defaults_to_localhost_58000) {
    const ParsedOptions parsed = parse({});
    BOOST_TEST(static_cast<int>(parsed.action) == static_cast<int>(Action::Run));
    BOOST_TEST(parsed.options.host == "127.0.0.1");
    BOOST_TEST(parsed.options.port == 58000);
    BOOST_TEST(!parsed.options.user.has_value());
    BOOST_TEST(!parsed.options.passwordFile.has_value());
    BOOST_TEST(parsed.options.outDir == ".");
    BOOST_TEST(!parsed.options.overwrite);
    BOOST_TEST(parsed.options.color);
    BOOST_TEST(parsed.options.timeout.count() == 60);
}

BOOST_AUTO_TEST_CASE(takes_tls_with_or_without_a_ca_file) {
    BOOST_TEST(!parse({}).options.tls);
    const ParsedOptions system = parse({"--tls", "example.org"});
    BOOST_TEST(static_cast<int>(system.action) == static_cast<int>(Action::Run));
    BOOST_TEST(system.options.tls);
    BOOST_TEST(!system.options.caFile.has_value());
    const ParsedOptions own = parse({"--tls", "--ca-file", "ca.pem"});
    BOOST_TEST(static_cast<int>(own.action) == static_cast<int>(Action::Run));
    BOOST_TEST(own.options.caFile.value_or("") == "ca.pem");
}

BOOST_AUTO_TEST_CASE(refuses_a_ca_file_without_tls_and_a_valued_tls) {
    const ParsedOptions lone = parse({"--ca-file=ca.pem"});
    BOOST_TEST(static_cast<int>(lone.action) == static_cast<int>(Action::Error));
    BOOST_TEST(lone.error.find("--tls") != std::string::npos, lone.error);
    BOOST_TEST(static_cast<int>(parse({"--tls=yes"}).action) == static_cast<int>(Action::Error));
}

BOOST_AUTO_TEST_CASE(takes_the_original_host_and_port_form) {
    const ParsedOptions parsed = parse({"10.0.0.7", "4242"});
    BOOST_TEST(static_cast<int>(parsed.action) == static_cast<int>(Action::Run));
    BOOST_TEST(parsed.options.host == "10.0.0.7");
    BOOST_TEST(parsed.options.port == 4242);
}

BOOST_AUTO_TEST_CASE(takes_a_host_alone) {
    const ParsedOptions parsed = parse({"forum.example"});
    BOOST_TEST(parsed.options.host == "forum.example");
    BOOST_TEST(parsed.options.port == 58000);
}

BOOST_AUTO_TEST_CASE(takes_options_with_equals_or_a_separate_value) {
    const ParsedOptions joined = parse({"--user=yoda", "--password-file=/tmp/pw", "--out=dl",
                                        "--timeout=5", "--overwrite", "--no-color", "host", "1"});
    const ParsedOptions apart =
        parse({"--user", "yoda", "--password-file", "/tmp/pw", "--out", "dl", "--timeout", "5",
               "--overwrite", "--no-color", "host", "1"});
    for (const ParsedOptions* parsed : {&joined, &apart}) {
        BOOST_TEST(static_cast<int>(parsed->action) == static_cast<int>(Action::Run));
        BOOST_TEST(parsed->options.user.value_or("") == "yoda");
        BOOST_TEST(parsed->options.passwordFile.value_or("") == "/tmp/pw");
        BOOST_TEST(parsed->options.outDir == "dl");
        BOOST_TEST(parsed->options.timeout.count() == 5);
        BOOST_TEST(parsed->options.overwrite);
        BOOST_TEST(!parsed->options.color);
        BOOST_TEST(parsed->options.host == "host");
        BOOST_TEST(parsed->options.port == 1);
    }
}

BOOST_AUTO_TEST_CASE(mixes_options_and_positionals_in_any_order) {
    const ParsedOptions parsed = parse({"host", "--user=obiwan", "7000"});
    BOOST_TEST(parsed.options.host == "host");
    BOOST_TEST(parsed.options.port == 7000);
    BOOST_TEST(parsed.options.user.value_or("") == "obiwan");
}

BOOST_AUTO_TEST_CASE(asks_for_help_and_version) {
    BOOST_TEST(static_cast<int>(parse({"--help"}).action) == static_cast<int>(Action::ShowHelp));
    BOOST_TEST(static_cast<int>(parse({"-h"}).action) == static_cast<int>(Action::ShowHelp));
    BOOST_TEST(static_cast<int>(parse({"--version"}).action) ==
               static_cast<int>(Action::ShowVersion));
    BOOST_TEST(usageText().find("--password-file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_what_it_cannot_understand) {
    const std::vector<std::vector<std::string>> bad = {
        {"--bogus"},
        {"-x"},
        {"host", "0"},
        {"host", "65536"},
        {"host", "-1"},
        {"host", "port"},
        {"host", "80", "extra"},
        {"--user"},
        {"--user="},
        {"--out="},
        {"--timeout=0"},
        {"--timeout=abc"},
        {"--timeout=90000"},
        {"--no-color=yes"},
        {""},
    };
    for (const std::vector<std::string>& args : bad) {
        const ParsedOptions parsed = parse(args);
        BOOST_TEST(static_cast<int>(parsed.action) == static_cast<int>(Action::Error),
                   "accepted: " << (args.empty() ? "" : args.front()) << " ...");
        BOOST_TEST(!parsed.error.empty());
    }
}

BOOST_AUTO_TEST_CASE(treats_everything_after_double_dash_as_positional) {
    const ParsedOptions parsed = parse({"--", "host", "9"});
    BOOST_TEST(parsed.options.host == "host");
    BOOST_TEST(parsed.options.port == 9);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dfp::client
