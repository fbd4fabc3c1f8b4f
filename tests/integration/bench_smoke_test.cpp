// dfp-bench against the real server: a short run must validate every reply, report no
// errors, and leave on the server exactly what it says it did; a refused reply must be
// counted as an error, never as a completed operation (issue 6).

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "support/client_process.h"
#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

constexpr std::chrono::milliseconds kBenchTimeout{60'000};

struct BenchResult {
    int status = -1;
    std::string out;
    std::string err;
};

// Runs a bench program against the server on port and waits for it to end.
BenchResult runProgram(const char* binary, std::uint16_t port, std::vector<std::string> args) {
    args.push_back("--port=" + std::to_string(port));
    ClientLaunch launch;
    launch.binary = binary;
    launch.args = std::move(args);
    ClientProcess program(std::move(launch));
    program.closeInput();
    const std::optional<int> status = program.waitExit(kBenchTimeout);
    BOOST_TEST_REQUIRE(status.has_value(), binary << " did not finish: " << program.errors());
    return BenchResult{*status, program.output(), program.errors()};
}

BenchResult runBench(std::uint16_t port, std::vector<std::string> args) {
    args.push_back("--json");
    args.push_back("--timeout=20");
    return runProgram(DFP_BENCH_PATH, port, std::move(args));
}

// dfp-login-burst, seed-mix's registration burst alone (bench/burst.sh).
BenchResult runBurst(std::uint16_t port, std::vector<std::string> args) {
    return runProgram(DFP_LOGIN_BURST_PATH, port, std::move(args));
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Files in the server's blob directory: what uploads left on its disk.
std::ptrdiff_t blobsOnDisk(const std::filesystem::path& dataDir) {
    return std::distance(std::filesystem::directory_iterator(dataDir / "files"),
                         std::filesystem::directory_iterator());
}

Lines readThread(LineClient& client, const std::string& title) {
    const Response response = client.request("RDT " + title);
    BOOST_TEST_REQUIRE(response.code == 210, response);
    Lines body = client.readBody();
    BOOST_TEST(response.field(1) == std::to_string(body.size()), response);
    return body;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bench_smoke)

BOOST_FIXTURE_TEST_CASE(posts_exactly_the_operations_it_reports, StartedServer) {
    const BenchResult run =
        runBench(port(), {"--workload=post", "--clients=2", "--ops=20", "--run-id=smokepost"});
    BOOST_TEST(run.status == 0, run.out << run.err);
    BOOST_TEST(contains(run.out, "\"errors\":0"), run.out);
    BOOST_TEST(contains(run.out, "\"workload\":\"post\""), run.out);
    BOOST_TEST(contains(run.out, "\"ops\":20,"), run.out);
    BOOST_TEST(contains(run.out, "\"command\":\"MSG\",\"ok\":20,\"errors\":0"), run.out);

    // Each client posted into its own thread, numbered from 1; together, the 20 claimed.
    LineClient checker = loggedIn("checker");
    const Lines first = readThread(checker, "smokepost-g0c0");
    const Lines second = readThread(checker, "smokepost-g0c1");
    BOOST_TEST(first.size() + second.size() == 20u);
    for (const Lines* thread : {&first, &second}) {
        for (std::size_t i = 0; i < thread->size(); ++i) {
            BOOST_TEST((*thread)[i].starts_with(std::to_string(i + 1) + " smokepostg0c"),
                       (*thread)[i]);
        }
    }
}

BOOST_FIXTURE_TEST_CASE(runs_one_seed_mix_round_per_client, StartedServer) {
    const BenchResult run = runBench(port(), {"--workload=seed-mix", "--clients=2", "--rounds=1",
                                              "--duration=50", "--run-id=smokemix"});
    BOOST_TEST(run.status == 0, run.out << run.err);
    BOOST_TEST(contains(run.out, "\"errors\":0"), run.out);
    // A round is USER, PASS, CRT, 200 MSG, 20 RDT, 20 LST and XIT: 244 requests.
    BOOST_TEST(contains(run.out, "\"ops\":488,"), run.out);
    BOOST_TEST(contains(run.out, "\"name\":\"read\",\"ops\":40,"), run.out);

    LineClient checker = loggedIn("checker");
    const Lines thread = readThread(checker, "smokemix-g0c1r0");
    BOOST_TEST_REQUIRE(thread.size() == 200u);
    BOOST_TEST(thread.front().starts_with("1 smokemixg0c1r0: bench message 1 "), thread.front());
    BOOST_TEST(thread.back().starts_with("200 smokemixg0c1r0: "), thread.back());
}

// The first download of the uploaded file (read from the disk) is part of the setup; the
// measured ones are exactly those asked for.
BOOST_FIXTURE_TEST_CASE(downloads_once_in_setup_and_then_the_measured_count, StartedServer) {
    const BenchResult run = runBench(port(), {"--workload=download", "--clients=1", "--ops=2",
                                              "--file-size=100K", "--run-id=smokedwn"});
    BOOST_TEST(run.status == 0, run.out << run.err);
    BOOST_TEST(contains(run.out, "\"errors\":0"), run.out);
    BOOST_TEST(contains(run.out, "\"commands\":[{\"command\":\"DWN\",\"ok\":2,\"errors\":0,"),
               run.out);
    BOOST_TEST(contains(run.out, "{\"command\":\"DWN\",\"ok\":1,\"errors\":0,\"ops_per_s\":0.0,"),
               run.out);
    BOOST_TEST(contains(run.out, "\"bytes\":204800,"), run.out);  // the two measured

    // Once the clock stopped the setup's user removed the file: nothing is left behind.
    BOOST_TEST(blobsOnDisk(dataDir()) == 0);
    LineClient checker = loggedIn("checker");
    checker.expect("DWN smokedwn-g0files bench.bin", 404);
}

// Each file uploaded is removed once the clock stops, recorded with the setup, not measured.
BOOST_FIXTURE_TEST_CASE(removes_what_it_uploaded_after_the_measurement, StartedServer) {
    const BenchResult run = runBench(port(), {"--workload=upload", "--clients=2", "--ops=3",
                                              "--file-size=100K", "--run-id=smokeupd"});
    BOOST_TEST(run.status == 0, run.out << run.err);
    BOOST_TEST(contains(run.out, "\"errors\":0"), run.out);
    BOOST_TEST(contains(run.out, "\"commands\":[{\"command\":\"UPD\",\"ok\":3,\"errors\":0,"),
               run.out);
    BOOST_TEST(contains(run.out, "{\"command\":\"RMF\",\"ok\":3,\"errors\":0,\"ops_per_s\":0.0,"),
               run.out);
    BOOST_TEST(blobsOnDisk(dataDir()) == 0);
    LineClient checker = loggedIn("checker");
    for (const char* thread : {"smokeupd-g0c0", "smokeupd-g0c1"}) {
        for (const std::string& line : readThread(checker, thread)) {
            BOOST_TEST(line.find(" uploaded ") == std::string::npos, line);
        }
    }
}

BOOST_FIXTURE_TEST_CASE(counts_refused_replies_as_errors, ServerFixture) {
    start({"--max-file-size=1000"});
    const BenchResult run = runBench(port(), {"--workload=upload", "--clients=1", "--ops=3",
                                              "--file-size=2000", "--run-id=smokebig"});
    BOOST_TEST(run.status == 1, run.out << run.err);
    BOOST_TEST(contains(run.out, "\"command\":\"UPD\",\"ok\":0,\"errors\":3"), run.out);
    BOOST_TEST(contains(run.out, "refused: '413"), run.out);
}

BOOST_FIXTURE_TEST_CASE(holds_idle_sessions_while_active_clients_run, StartedServer) {
    const BenchResult run =
        runBench(port(), {"--workload=idle", "--clients=20", "--active=2", "--active-workload=post",
                          "--duration=1", "--probe-interval=100", "--run-id=smokeidle"});
    BOOST_TEST(run.status == 0, run.out << run.err);
    BOOST_TEST(contains(run.out, "\"idle\":{\"requested\":20,\"opened\":20,\"lost\":0,"), run.out);
}

// The held sessions are watched: when the server ends them (here its idle timeout, 601 then
// a close), every one is counted as lost and the run reports the failure.
BOOST_FIXTURE_TEST_CASE(counts_held_sessions_that_the_server_closes_as_lost, ServerFixture) {
    start({"--idle-timeout=1"});
    const BenchResult run =
        runBench(port(), {"--workload=idle", "--clients=20", "--active=1", "--active-workload=post",
                          "--duration=4", "--probe-interval=100", "--run-id=smokelost"});
    BOOST_TEST(run.status == 1, run.out << run.err);
    BOOST_TEST(contains(run.out, "\"opened\":20,\"lost\":20,"), run.out);
}

// Three clients, two rounds: six registrations, each with its own thread, all checked here
// through the server, and the table counts six of each step.
BOOST_FIXTURE_TEST_CASE(login_burst_registers_and_creates_what_it_reports, StartedServer) {
    const BenchResult run = runBurst(port(), {"--clients=3", "--rounds=2", "--run-id=lbsmoke"});
    BOOST_TEST(run.status == 0, run.out << run.err);
    for (const char* step : {"CONNECT", "USER", "PASS", "CRT"}) {
        BOOST_TEST(contains(run.out, std::string(step) + std::string(8 - std::strlen(step), ' ') +
                                         "       6 "),
                   run.out);
    }

    LineClient checker = loggedIn("checker");
    const Response listed = checker.request("LST");
    BOOST_TEST_REQUIRE(listed.code == 215, listed);
    const Lines threads = checker.readBody();
    BOOST_TEST(threads.size() == 6u);
    for (int client = 0; client < 3; ++client) {
        for (int round = 0; round < 2; ++round) {
            const std::string name =
                "lbsmokec" + std::to_string(client) + "r" + std::to_string(round);
            BOOST_TEST(
                std::count_if(threads.begin(), threads.end(),
                              [&](const std::string& line) { return line == "t" + name; }) == 1,
                name);
            LineClient account = connect(name);
            BOOST_TEST(account.request("USER " + name).code == 331, name);
            BOOST_TEST(account.request("PASS bench-password").code == 230, name);
        }
    }
}

// A refused step ends the run with status 1 and says which reply it got.
BOOST_FIXTURE_TEST_CASE(login_burst_fails_on_a_refused_registration, ServerFixture) {
    start({"--no-register"});
    const BenchResult run = runBurst(port(), {"--clients=2", "--rounds=2", "--run-id=lbshut"});
    BOOST_TEST(run.status == 1, run.out << run.err);
    BOOST_TEST(contains(run.err, "got '403"), run.err);
}

BOOST_FIXTURE_TEST_CASE(login_burst_refuses_bad_arguments_before_connecting, ServerFixture) {
    start();
    for (const char* bad : {"--clients=0", "--rounds=10001", "--run-id=a-b", "--dialect=http"}) {
        const BenchResult run = runBurst(port(), {bad});
        BOOST_TEST(run.status == 2, bad << ": " << run.out << run.err);
        BOOST_TEST(contains(run.err, std::string("bad argument ") + bad), run.err);
    }
    // Nothing reached the server: no session was ever opened.
    BOOST_TEST(server().log().find("event=session-open") == std::string::npos, server().log());
}

BOOST_FIXTURE_TEST_CASE(login_burst_fails_without_a_server, ServerFixture) {
    start();
    const std::uint16_t gone = port();
    stop();
    const BenchResult run = runBurst(gone, {"--clients=2", "--rounds=1"});
    BOOST_TEST(run.status == 1, run.out << run.err);
    BOOST_TEST(contains(run.err, "Connection refused"), run.err);
    BOOST_TEST(contains(run.err, "(2 of 2 clients failed)"), run.err);
}

BOOST_FIXTURE_TEST_CASE(refuses_to_run_without_a_server, ServerFixture) {
    start();
    const std::uint16_t gone = port();
    stop();
    const BenchResult run = runBench(gone, {"--workload=list", "--clients=1", "--ops=1"});
    BOOST_TEST(run.status == 3, run.out << run.err);
    BOOST_TEST(contains(run.err, "cannot reach a DFP/1 server"), run.err);
}

BOOST_AUTO_TEST_SUITE_END()
