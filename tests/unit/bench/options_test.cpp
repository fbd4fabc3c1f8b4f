#include "bench/options.h"

#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace dfp::bench {
namespace {

ParseResult parse(std::vector<std::string_view> args) {
    return parseOptions(args);
}

struct Refusal {
    std::vector<std::string_view> args;
    std::string_view mentions;  // a part of the message that says what is wrong
};

}  // namespace

BOOST_AUTO_TEST_SUITE(bench_options)

BOOST_AUTO_TEST_CASE(reads_the_issue_synopsis_with_defaults) {
    const ParseResult r = parse({"--clients=32", "--duration=10", "--workload=seed-mix"});
    BOOST_TEST_REQUIRE(r.options.has_value(), r.error);
    const Options& o = *r.options;
    BOOST_TEST(o.host == "127.0.0.1");
    BOOST_TEST(o.port == 58000);
    BOOST_TEST(o.clients == 32u);
    BOOST_TEST(*o.durationSeconds == 10.0);
    BOOST_TEST(!o.ops.has_value());
    BOOST_TEST((o.workload == Workload::SeedMix));
    BOOST_TEST(!o.json);
    BOOST_TEST(o.fileSize == 1u << 20);
    BOOST_TEST(o.threadSize == 200u);
    BOOST_TEST(o.messageSize == 100u);
    BOOST_TEST(o.active == 0u);
    BOOST_TEST(o.runId.empty());
}

BOOST_AUTO_TEST_CASE(reads_every_option) {
    const ParseResult r =
        parse({"--host=::1", "--port=4000", "--clients=10000", "--ops=500", "--duration=2.5",
               "--workload=idle", "--json", "--active=32", "--active-workload=seed-mix",
               "--rounds=3", "--run-id=abc123", "--password=pw with spaces", "--timeout=5",
               "--probe-interval=50", "--server-pid=1234", "--message-size=4000"});
    BOOST_TEST_REQUIRE(r.options.has_value(), r.error);
    const Options& o = *r.options;
    BOOST_TEST(o.host == "::1");
    BOOST_TEST(o.port == 4000);
    BOOST_TEST(o.clients == 10000u);
    BOOST_TEST(*o.ops == 500u);
    BOOST_TEST(*o.durationSeconds == 2.5);
    BOOST_TEST((o.workload == Workload::Idle));
    BOOST_TEST(o.json);
    BOOST_TEST(o.active == 32u);
    BOOST_TEST((o.activeWorkload == Workload::SeedMix));
    BOOST_TEST(*o.rounds == 3u);
    BOOST_TEST(o.runId == "abc123");
    BOOST_TEST(o.password == "pw with spaces");
    BOOST_TEST(o.timeoutSeconds == 5.0);
    BOOST_TEST(o.probeIntervalMs == 50.0);
    BOOST_TEST(*o.serverPid == 1234);
    BOOST_TEST(o.messageSize == 4000u);
}

BOOST_AUTO_TEST_CASE(reads_sizes_with_binary_suffixes) {
    const std::vector<std::pair<std::string, std::uint64_t>> rows = {
        {"0", 0},           {"123", 123},          {"4k", 4096}, {"4K", 4096}, {"64M", 64ULL << 20},
        {"1G", 1ULL << 30}, {"1024G", 1ULL << 40},
    };
    for (const auto& [text, expected] : rows) {
        const std::string arg = "--file-size=" + text;
        const ParseResult r = parse({"--clients=1", "--ops=1", "--workload=upload", arg});
        BOOST_TEST_CONTEXT(arg) {
            BOOST_TEST_REQUIRE(r.options.has_value(), r.error);
            BOOST_TEST(r.options->fileSize == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(knows_every_workload_by_name) {
    for (std::string_view name :
         {"seed-mix", "post", "read", "list", "login", "upload", "download", "idle"}) {
        const std::optional<Workload> workload = workloadFromName(name);
        BOOST_TEST_REQUIRE(workload.has_value(), name);
        BOOST_TEST(workloadName(*workload) == name);
    }
    BOOST_TEST(!workloadFromName("seed_mix").has_value());
}

BOOST_AUTO_TEST_CASE(asks_for_help) {
    const ParseResult r = parse({"--clients=x", "--help"});
    BOOST_TEST(r.help);
    BOOST_TEST(usageText().find("--workload=NAME") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_what_it_cannot_run) {
    const std::vector<Refusal> rows = {
        {{"--duration=1", "--workload=post"}, "--clients is required"},
        {{"--clients=1", "--duration=1"}, "--workload is required"},
        {{"--clients=1", "--workload=post"}, "bounded"},
        {{"--clients=0", "--ops=1", "--workload=post"}, "--clients must be"},
        {{"--clients=two", "--ops=1", "--workload=post"}, "not 'two'"},
        {{"--clients=2000", "--ops=1", "--workload=post"}, "one thread per client"},
        {{"--clients=1", "--ops=0", "--workload=post"}, "--ops must be"},
        {{"--clients=1", "--ops=-1", "--workload=post"}, "--ops must be"},
        {{"--clients=1", "--duration=0", "--workload=post"}, "--duration must be"},
        {{"--clients=1", "--duration=nan", "--workload=post"}, "--duration must be"},
        {{"--clients=1", "--duration=1s", "--workload=post"}, "--duration must be"},
        {{"--clients=1", "--ops=1", "--workload=fast"}, "unknown workload 'fast'"},
        {{"--clients=1", "--ops=1", "--workload=post", "--port=0"}, "--port must be"},
        {{"--clients=1", "--ops=1", "--workload=post", "--port=65536"}, "--port must be"},
        {{"--clients=1", "--ops=1", "--workload=post", "--host="}, "--host"},
        {{"--clients=1", "--ops=1", "--workload=post", "--speed=9"}, "unknown option --speed"},
        {{"--clients=1", "--ops=1", "--workload=post", "--verbose"}, "unknown option --verbose"},
        {{"--clients=1", "--ops=1", "--workload=post", "--port"}, "--port needs a value"},
        {{"--clients=1", "--ops=1", "--workload=post", "--json=yes"}, "takes no value"},
        {{"--clients=1", "--ops=1", "--workload=post", "extra"}, "unexpected argument 'extra'"},
        {{"--clients=1", "--clients=2", "--ops=1", "--workload=post"}, "given twice"},
        {{"--clients=1", "--ops=1", "--workload=read", "--shared"}, "--shared applies"},
        {{"--clients=1", "--ops=1", "--workload=post", "--rounds=2"}, "--rounds applies"},
        {{"--clients=1", "--ops=1", "--workload=post", "--active-workload=read"}, "--active=N"},
        {{"--clients=9", "--ops=1", "--workload=idle", "--active=2", "--active-workload=idle"},
         "cannot be idle"},
        {{"--clients=9", "--ops=1", "--workload=idle"}, "needs --duration"},
        {{"--clients=1", "--ops=1", "--workload=upload", "--file-size=2T"}, "--file-size"},
        {{"--clients=1", "--ops=1", "--workload=upload", "--file-size=99999999999999G"},
         "--file-size"},
        {{"--clients=1", "--ops=1", "--workload=post", "--message-size=4001"}, "--message-size"},
        {{"--clients=1", "--ops=1", "--workload=post", "--run-id=has-dash"}, "--run-id"},
        {{"--clients=1", "--ops=1", "--workload=post", "--run-id=abcdefghijklm"}, "--run-id"},
        {{"--clients=1", "--ops=1", "--workload=post", "--password="}, "--password"},
        {{"--clients=1", "--ops=1", "--workload=post", "--timeout=0"}, "--timeout"},
    };
    for (const Refusal& row : rows) {
        std::string joined;
        for (std::string_view arg : row.args) {
            joined += std::string(arg) + " ";
        }
        BOOST_TEST_CONTEXT(joined) {
            const ParseResult r = parseOptions(row.args);
            BOOST_TEST(!r.options.has_value());
            BOOST_TEST(!r.help);
            BOOST_TEST(r.error.find(row.mentions) != std::string::npos, r.error);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::bench
