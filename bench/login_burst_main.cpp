// dfp-login-burst: seed-mix's login phase alone, against dfp-server or against redis, so that
// the two can be compared on the same machine with the same client code
// (docs/performance.md, "The registration burst against redis").
//
// Each round, CLIENTS threads are released together by a barrier. Each opens a new
// connection and sends three requests one after another, waiting for each reply:
//   dfp    greeting, USER <new name>, PASS, CRT <new title> (a registration, as seed-mix)
//   redis  SET, SET, SET (redis has no greeting: its accept is in the first SET's time)
// A second barrier, then the connection ends (dfp: XIT, 221), and the next round starts.
// Every reply is checked; the first wrong or missing one stops that client's requests, and
// the run ends with status 1.

#include <algorithm>
#include <array>
#include <barrier>
#include <cstdio>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/latency_histogram.h"
#include "bench/options.h"
#include "bench/socket.h"

namespace {

using dfp::bench::Clock;
using dfp::bench::Endpoint;
using dfp::bench::IoError;
using dfp::bench::LatencyHistogram;
using dfp::bench::Socket;

constexpr auto kTimeout = std::chrono::seconds(30);
constexpr int kSteps = 4;  // the connection, then three requests

struct Settings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    bool redis = false;
    unsigned clients = 32;
    unsigned rounds = 32;
    std::string runId;  // the prefix of names and titles; random unless given
};

const char* const kUsage =
    "usage: dfp-login-burst --port=P [--host=H] [--dialect=dfp|redis] [--clients=N] "
    "[--rounds=N] [--run-id=ID]\n";

// A count from 1 to 10,000 (clients, rounds; names stay within a username's 32 bytes).
std::optional<unsigned> parseCount(std::string_view text, std::uint64_t max = 10000) {
    const std::optional<std::uint64_t> value = dfp::bench::parseUnsigned(text);
    if (!value || *value == 0 || *value > max) {
        return std::nullopt;
    }
    return static_cast<unsigned>(*value);
}

// The settings, or nullopt after saying what is wrong.
std::optional<Settings> parseArguments(int argc, char** argv) {
    Settings settings;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto eq = arg.find('=');
        const std::string_view name = arg.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? "" : arg.substr(eq + 1);
        std::optional<unsigned> count;
        if (name == "--host" && !value.empty()) {
            settings.host = value;
        } else if (name == "--port" && (count = parseCount(value, 65535))) {
            settings.port = static_cast<std::uint16_t>(*count);
        } else if (name == "--dialect" && (value == "dfp" || value == "redis")) {
            settings.redis = value == "redis";
        } else if (name == "--clients" && (count = parseCount(value))) {
            settings.clients = *count;
        } else if (name == "--rounds" && (count = parseCount(value))) {
            settings.rounds = *count;
        } else if (name == "--run-id" && dfp::bench::isValidRunId(value)) {
            settings.runId = value;
        } else {
            std::cerr << "dfp-login-burst: bad argument " << arg << "\n" << kUsage;
            return std::nullopt;
        }
    }
    if (settings.port == 0) {
        std::cerr << "dfp-login-burst: --port is required\n" << kUsage;
        return std::nullopt;
    }
    return settings;
}

// One connection's replies, a line at a time (every reply here is one line).
class LineReader {
public:
    explicit LineReader(Socket& socket) : socket_(socket) {}

    std::string next() {
        for (;;) {
            if (const auto end = buffered_.find('\n'); end != std::string::npos) {
                std::string line = buffered_.substr(0, end);
                buffered_.erase(0, end + 1);
                if (!line.empty() && line.back() == '\r') {
                    line.pop_back();
                }
                return line;
            }
            char chunk[512];
            const std::size_t got = socket_.receive(chunk, sizeof chunk, kTimeout);
            if (got == 0) {
                throw IoError("the server closed the connection");
            }
            buffered_.append(chunk, got);
        }
    }

private:
    Socket& socket_;
    std::string buffered_;
};

void expect(const std::string& reply, std::string_view prefix, std::string_view request) {
    if (reply.compare(0, prefix.size(), prefix) != 0) {
        throw IoError("'" + std::string(request) + "' got '" + reply + "', expected '" +
                      std::string(prefix) + "...'");
    }
}

std::uint64_t nanosSince(Clock::time_point start) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
}

// The message of the IoError that fn throws, or "" if it completes.
template <typename Fn>
std::string failureOf(Fn&& fn) {
    try {
        fn();
        return {};
    } catch (const IoError& e) {
        return e.what();
    }
}

// One client's rounds; its latencies go to steps. Returns its first failure ("" if none).
// After one it skips the requests but still arrives at every barrier, so that no other client
// waits for it.
std::string runClient(const Settings& settings, const Endpoint& endpoint, const std::string& runId,
                      unsigned index, std::barrier<>& sync,
                      std::array<LatencyHistogram, kSteps>& steps) {
    std::string failure;
    for (unsigned round = 0; round < settings.rounds; ++round) {
        sync.arrive_and_wait();
        Socket socket;
        LineReader replies(socket);
        if (failure.empty()) {
            failure = failureOf([&] {
                const std::string name =
                    runId + "c" + std::to_string(index) + "r" + std::to_string(round);
                Clock::time_point start = Clock::now();
                socket = Socket::connect(endpoint, kTimeout);
                if (!settings.redis) {
                    expect(replies.next(), "200 ", "(greeting)");
                }
                steps[0].record(nanosSince(start));
                for (int step = 1; step < kSteps; ++step) {
                    std::string request;
                    std::string_view expected;
                    if (settings.redis) {
                        request =
                            "SET burst:" + name + ":" + std::to_string(step) + " bench-password";
                        expected = "+OK";
                    } else if (step == 1) {
                        request = "USER " + name;
                        expected = "332 ";
                    } else if (step == 2) {
                        request = "PASS bench-password";
                        expected = "231 ";
                    } else {
                        request = "CRT t" + name;
                        expected = "201 ";
                    }
                    start = Clock::now();
                    socket.sendAll(request + (settings.redis ? "\r\n" : "\n"), kTimeout);
                    expect(replies.next(), expected, request);
                    steps[step].record(nanosSince(start));
                }
            });
        }
        sync.arrive_and_wait();
        if (failure.empty() && !settings.redis) {
            failure = failureOf([&] {
                socket.sendAll("XIT\n", kTimeout);
                expect(replies.next(), "221 ", "XIT");
            });
        }
    }
    return failure;
}

}  // namespace

int main(int argc, char** argv) {
    const std::optional<Settings> settings = parseArguments(argc, argv);
    if (!settings) {
        return 2;
    }
    Endpoint endpoint;
    try {
        endpoint = Endpoint::resolve(settings->host, settings->port);
    } catch (const IoError& e) {
        std::cerr << "dfp-login-burst: " << e.what() << "\n";
        return 3;
    }
    // Names nobody registered before: a fresh prefix for every run, unless one is given.
    std::string runId = settings->runId;
    if (runId.empty()) {
        std::random_device seed;
        runId = "lb" + std::to_string(seed() % 1000000);
    }

    std::barrier<> sync(settings->clients);
    std::vector<std::array<LatencyHistogram, kSteps>> steps(settings->clients);
    std::vector<std::string> errors(settings->clients);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < settings->clients; ++i) {
        threads.emplace_back(
            [&, i] { errors[i] = runClient(*settings, endpoint, runId, i, sync, steps[i]); });
    }
    for (auto& thread : threads) {
        thread.join();
    }

    const char* const names[2][kSteps] = {{"CONNECT", "USER", "PASS", "CRT"},
                                          {"CONNECT", "SET1", "SET2", "SET3"}};
    std::printf("%-8s %7s %8s %8s %8s %8s  (ms; %u clients, %u rounds, %s)\n", "step", "n", "p50",
                "p95", "p99", "max", settings->clients, settings->rounds,
                settings->redis ? "redis" : "dfp");
    for (int step = 0; step < kSteps; ++step) {
        LatencyHistogram all;
        for (const auto& client : steps) {
            all.merge(client[step]);
        }
        const auto ms = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e6; };
        std::printf("%-8s %7llu %8.3f %8.3f %8.3f %8.3f\n", names[settings->redis][step],
                    static_cast<unsigned long long>(all.count()), ms(all.percentile(50)),
                    ms(all.percentile(95)), ms(all.percentile(99)), ms(all.max()));
    }
    // The first failure says what went wrong; the others are most often the same.
    const auto failed = std::count_if(errors.begin(), errors.end(),
                                      [](const std::string& error) { return !error.empty(); });
    if (failed == 0) {
        return 0;
    }
    const auto first = std::find_if(errors.begin(), errors.end(),
                                    [](const std::string& error) { return !error.empty(); });
    std::cerr << "dfp-login-burst: client " << (first - errors.begin()) << ": " << *first << " ("
              << failed << " of " << settings->clients << " clients failed)\n";
    return 1;
}
