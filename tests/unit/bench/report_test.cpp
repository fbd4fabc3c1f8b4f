#include "bench/report.h"

#include <string>

#include <boost/test/unit_test.hpp>

#include "bench/bench_client.h"

namespace dfp::bench {
namespace {

Outcome succeeded(std::chrono::nanoseconds latency, std::uint64_t bytes = 0) {
    Outcome outcome;
    outcome.ok = true;
    outcome.latency = latency;
    outcome.bytes = bytes;
    return outcome;
}

Outcome failed(std::string problem) {
    Outcome outcome;
    outcome.problem = std::move(problem);
    return outcome;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bench_report)

BOOST_AUTO_TEST_CASE(escapes_json_strings) {
    BOOST_TEST(jsonString("plain") == "\"plain\"");
    BOOST_TEST(jsonString("say \"hi\"\\") == "\"say \\\"hi\\\"\\\\\"");
    BOOST_TEST(jsonString("a\nb\tc\r") == "\"a\\nb\\tc\\r\"");
    BOOST_TEST(jsonString(std::string("\x01\x7f", 2)) == "\"\\u0001\\u007f\"");
    BOOST_TEST(jsonString("café") == "\"café\"");
}

BOOST_AUTO_TEST_CASE(counts_a_workloads_own_operations_only) {
    GroupReport group;
    group.workload = Workload::Post;
    group.measured.record(Command::Msg, succeeded(std::chrono::microseconds(100)));
    group.measured.record(Command::Msg, succeeded(std::chrono::microseconds(300)));
    group.measured.record(Command::Msg, failed("MSG: refused: '404 no such thread'"));
    group.measured.record(Command::Connect, succeeded(std::chrono::microseconds(50)));
    BOOST_TEST(group.ops() == 2u);  // failures and connects are not operations
    BOOST_TEST(group.errors() == 1u);
    group.workload = Workload::SeedMix;
    BOOST_TEST(group.ops() == 2u);  // every request, but not the connect
    group.setup.recordError("setup failed");
    BOOST_TEST(group.errors() == 2u);
}

BOOST_AUTO_TEST_CASE(renders_figures_as_json) {
    Report report;
    report.runId = "abc";
    report.server = "127.0.0.1:58000";
    GroupReport group;
    group.role = "main";
    group.workload = Workload::Download;
    group.clients = 2;
    group.seconds = 2.0;
    for (int i = 1; i <= 4; ++i) {
        group.measured.record(Command::Dwn,
                              succeeded(std::chrono::milliseconds(i), std::uint64_t{1} << 20));
    }
    group.measured.record(Command::Dwn, failed("DWN: bytes hash to \"x\""));
    group.setup.record(Command::Dwn,
                       succeeded(std::chrono::milliseconds(7), std::uint64_t{1} << 20));
    report.groups.push_back(group);
    report.rss = RssReport{1024, 3072, 2048, true};

    const std::string json = formatJson(report);
    for (const std::string& part :
         {std::string("\"run_id\":\"abc\""), std::string("\"errors\":1"),
          std::string("\"workload\":\"download\""), std::string("\"ops\":4"),
          std::string("\"ops_per_s\":2.0"), std::string("\"command\":\"DWN\""),
          // 2 ms falls in the bucket 1998848..2007039 ns (1/128 of 2^20..2^21): its top is
          // reported; 4 ms is the maximum, which clamps its bucket's top.
          std::string("\"p50_ms\":2.007"), std::string("\"p99_ms\":4.000"),
          std::string("\"max_ms\":4.000"), std::string("\"mib_per_s\":2.0"),
          std::string("\"server_rss_kib\":{\"start\":1024,\"peak\":3072,\"end\":2048"),
          std::string("\"problems\":[\"DWN: bytes hash to \\\"x\\\"\"]"),
          // The setup's own figures, apart from the measured ones and without a rate.
          std::string("\"setup_commands\":[{\"command\":\"DWN\",\"ok\":1,\"errors\":0,"
                      "\"ops_per_s\":0.0,"),
          std::string("\"bytes\":1048576,\"mib_per_s\":0.0}]")}) {
        BOOST_TEST(json.find(part) != std::string::npos, part << " in " << json);
    }
    const std::string text = formatText(report);
    BOOST_TEST(text.find("download (main): 2 clients, 2.000 s, 4 ops, 2.0 ops/s, 1 errors") !=
                   std::string::npos,
               text);
    BOOST_TEST(text.find("peak 3.0 MiB (+2.0)") != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::bench
