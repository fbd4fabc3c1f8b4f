#pragma once

// dfp-bench's command line: what to run, against which server, and for how long. Parsing is
// pure (strings in, an Options value or a message out) so that tests can cover every refusal.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dfp::bench {

enum class Workload { SeedMix, Post, Read, List, Login, Upload, Download, Idle };

std::string_view workloadName(Workload workload);
std::optional<Workload> workloadFromName(std::string_view name);

inline constexpr std::uint16_t kDefaultPort = 58000;
// One thread per active client: past this a poll loop would be needed, and the issue's
// scenarios stop at 64 active clients. The idle workload holds its sessions in one thread.
inline constexpr unsigned kMaxActiveClients = 1024;
inline constexpr unsigned kMaxIdleSessions = 100'000;
inline constexpr double kMaxDurationSeconds = 24 * 3600;
inline constexpr std::uint64_t kMaxFileSize = 1ULL << 40;
// User names and titles are built from the run id (workloads.cpp, dfp-login-burst), so it
// must fit both rules with room for the suffixes: letters and digits only, at most 12.
inline constexpr std::size_t kMaxRunId = 12;

// A decimal number and nothing else, or nullopt.
std::optional<std::uint64_t> parseUnsigned(std::string_view text);
// 1 to kMaxRunId letters or digits.
bool isValidRunId(std::string_view id);

struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = kDefaultPort;
    Workload workload = Workload::SeedMix;
    unsigned clients = 0;
    // The bounds; at least one is set. The run ends at whichever comes first.
    std::optional<double> durationSeconds;
    std::optional<std::uint64_t> ops;     // the workload's own operations (see usageText())
    std::optional<std::uint64_t> rounds;  // seed-mix: rounds per client
    bool json = false;
    bool shared = false;  // post: every client posts into one thread
    std::uint64_t fileSize = 1 << 20;
    std::uint64_t threadSize = 200;   // read: messages in the thread read
    std::uint64_t threadCount = 100;  // list: threads created before listing
    std::size_t messageSize = 100;
    // A second group of clients running another workload at the same time (for idle, the
    // workload whose throughput the idle sessions must not hurt).
    unsigned active = 0;
    Workload activeWorkload = Workload::SeedMix;
    std::string runId;  // empty: a random one, so repeated runs against a server never collide
    std::string password = "bench-password";
    double timeoutSeconds = 30;    // the longest wait for any progress on a connection
    double probeIntervalMs = 100;  // idle: how often a new connection's greeting is timed
    std::optional<int> serverPid;  // sample this process's RSS during the run (local only)
};

struct ParseResult {
    std::optional<Options> options;  // set when the arguments are valid
    bool help = false;               // --help: print usageText() and exit 0
    std::string error;               // otherwise, what is wrong, for one line on stderr
};

ParseResult parseOptions(std::span<const std::string_view> args);

std::string usageText();

}  // namespace dfp::bench
