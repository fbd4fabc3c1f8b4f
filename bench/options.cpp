#include "bench/options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>

#include "protocol/validators.h"

namespace dfp::bench {
namespace {

struct WorkloadRow {
    Workload workload;
    std::string_view name;
};

constexpr WorkloadRow kWorkloads[] = {
    {Workload::SeedMix, "seed-mix"},  {Workload::Post, "post"},   {Workload::Read, "read"},
    {Workload::List, "list"},         {Workload::Login, "login"}, {Workload::Upload, "upload"},
    {Workload::Download, "download"}, {Workload::Idle, "idle"},
};

std::optional<double> parseDecimal(std::string_view text) {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

// Sizes may carry a binary suffix: 1G is 1 GiB, as --file-size=1G reads naturally.
std::optional<std::uint64_t> parseSize(std::string_view text) {
    std::uint64_t scale = 1;
    if (!text.empty()) {
        switch (text.back()) {
            case 'K':
            case 'k':
                scale = 1ULL << 10;
                break;
            case 'M':
            case 'm':
                scale = 1ULL << 20;
                break;
            case 'G':
            case 'g':
                scale = 1ULL << 30;
                break;
            default:
                break;
        }
        if (scale != 1) {
            text.remove_suffix(1);
        }
    }
    std::optional<std::uint64_t> value = parseUnsigned(text);
    if (!value || *value > UINT64_MAX / scale) {
        return std::nullopt;
    }
    return *value * scale;
}

class Parser {
public:
    ParseResult run(std::span<const std::string_view> args) {
        ParseResult result;
        // --help wins wherever it stands, even after a mistake.
        for (std::string_view arg : args) {
            if (arg == "--help" || arg == "-h") {
                result.help = true;
                return result;
            }
        }
        for (std::string_view arg : args) {
            if (!take(arg)) {
                result.error = error_;
                return result;
            }
        }
        if (!check()) {
            result.error = error_;
            return result;
        }
        result.options = options_;
        return result;
    }

private:
    bool fail(std::string message) {
        if (error_.empty()) {
            error_ = std::move(message);
        }
        return false;
    }

    bool take(std::string_view arg) {
        if (!arg.starts_with("--")) {
            return fail("unexpected argument '" + std::string(arg) + "'");
        }
        arg.remove_prefix(2);
        const std::size_t eq = arg.find('=');
        const std::string name(arg.substr(0, eq));
        const bool hasValue = eq != std::string_view::npos;
        const std::string_view value = hasValue ? arg.substr(eq + 1) : std::string_view();
        if (!seen_.emplace(name, true).second) {
            return fail("--" + name + " given twice");
        }

        if (name == "json" || name == "shared") {
            if (hasValue) {
                return fail("--" + name + " takes no value");
            }
            (name == "json" ? options_.json : options_.shared) = true;
            return true;
        }
        if (!hasValue) {
            return fail(knownValueOption(name) ? "--" + name + " needs a value (--" + name + "=...)"
                                               : "unknown option --" + name);
        }
        return takeValue(name, value);
    }

    static bool knownValueOption(const std::string& name) {
        static const char* const kNames[] = {
            "host",         "port",           "workload",        "clients",     "duration",
            "ops",          "rounds",         "file-size",       "thread-size", "thread-count",
            "message-size", "active",         "active-workload", "run-id",      "password",
            "timeout",      "probe-interval", "server-pid"};
        for (const char* known : kNames) {
            if (name == known) {
                return true;
            }
        }
        return false;
    }

    bool number(const std::string& name, std::string_view value, std::uint64_t min,
                std::uint64_t max, std::uint64_t& out, bool sizeSuffix = false) {
        const std::optional<std::uint64_t> parsed =
            sizeSuffix ? parseSize(value) : parseUnsigned(value);
        if (!parsed || *parsed < min || *parsed > max) {
            return fail("--" + name + " must be a whole number from " + std::to_string(min) +
                        " to " + std::to_string(max) + ", not '" + std::string(value) + "'");
        }
        out = *parsed;
        return true;
    }

    bool decimal(const std::string& name, std::string_view value, double min, double max,
                 double& out) {
        const std::optional<double> parsed = parseDecimal(value);
        if (!parsed || *parsed < min || *parsed > max) {
            return fail("--" + name + " must be a number from " + trim(min) + " to " + trim(max) +
                        ", not '" + std::string(value) + "'");
        }
        out = *parsed;
        return true;
    }

    static std::string trim(double value) {
        std::string text = std::to_string(value);
        while (text.find('.') != std::string::npos && (text.back() == '0' || text.back() == '.')) {
            text.pop_back();
        }
        return text;
    }

    bool takeValue(const std::string& name, std::string_view value) {
        std::uint64_t n = 0;
        double d = 0;
        if (name == "host") {
            if (value.empty()) {
                return fail("--host must not be empty");
            }
            options_.host = value;
        } else if (name == "port") {
            if (!number(name, value, 1, 65535, n)) {
                return false;
            }
            options_.port = static_cast<std::uint16_t>(n);
        } else if (name == "workload" || name == "active-workload") {
            std::optional<Workload> workload = workloadFromName(value);
            if (!workload) {
                return fail("unknown workload '" + std::string(value) +
                            "' (seed-mix, post, read, list, login, upload, download, idle)");
            }
            (name == "workload" ? options_.workload : options_.activeWorkload) = *workload;
        } else if (name == "clients") {
            if (!number(name, value, 1, kMaxIdleSessions, n)) {
                return false;
            }
            options_.clients = static_cast<unsigned>(n);
        } else if (name == "active") {
            if (!number(name, value, 1, kMaxActiveClients, n)) {
                return false;
            }
            options_.active = static_cast<unsigned>(n);
        } else if (name == "duration") {
            if (!decimal(name, value, 0.001, kMaxDurationSeconds, d)) {
                return false;
            }
            options_.durationSeconds = d;
        } else if (name == "ops") {
            if (!number(name, value, 1, UINT64_MAX, n)) {
                return false;
            }
            options_.ops = n;
        } else if (name == "rounds") {
            if (!number(name, value, 1, 1'000'000, n)) {
                return false;
            }
            options_.rounds = n;
        } else if (name == "file-size") {
            if (!number(name, value, 0, kMaxFileSize, options_.fileSize, /*sizeSuffix=*/true)) {
                return false;
            }
        } else if (name == "thread-size") {
            if (!number(name, value, 1, 10'000'000, options_.threadSize)) {
                return false;
            }
        } else if (name == "thread-count") {
            if (!number(name, value, 1, 10'000'000, options_.threadCount)) {
                return false;
            }
        } else if (name == "message-size") {
            if (!number(name, value, 1, protocol::kMaxMessage, n)) {
                return false;
            }
            options_.messageSize = static_cast<std::size_t>(n);
        } else if (name == "run-id") {
            if (!isValidRunId(value)) {
                return fail("--run-id must be 1 to 12 letters or digits");
            }
            options_.runId = value;
        } else if (name == "password") {
            if (protocol::checkPassword(value)) {
                return fail("--password is not a valid DFP/1 password");
            }
            options_.password = value;
        } else if (name == "timeout") {
            if (!decimal(name, value, 0.01, 3600, options_.timeoutSeconds)) {
                return false;
            }
        } else if (name == "probe-interval") {
            if (!decimal(name, value, 1, 60'000, options_.probeIntervalMs)) {
                return false;
            }
        } else if (name == "server-pid") {
            if (!number(name, value, 1, INT32_MAX, n)) {
                return false;
            }
            options_.serverPid = static_cast<int>(n);
        } else {
            return fail("unknown option --" + name);
        }
        return true;
    }

    bool given(const char* name) const { return seen_.contains(name); }

    bool check() {
        if (!given("workload")) {
            return fail("--workload is required");
        }
        if (!given("clients")) {
            return fail("--clients is required");
        }
        if (!options_.durationSeconds && !options_.ops) {
            return fail("give --duration=SECONDS or --ops=N (or both): the run must be bounded");
        }
        const Workload workload = options_.workload;
        if (workload != Workload::Idle && options_.clients > kMaxActiveClients) {
            return fail("--clients may be at most " + std::to_string(kMaxActiveClients) + " for " +
                        std::string(workloadName(workload)) +
                        " (one thread per client); only idle holds more");
        }
        if (options_.shared && workload != Workload::Post) {
            return fail("--shared applies to the post workload only");
        }
        const bool seedMixRuns =
            workload == Workload::SeedMix ||
            (options_.active > 0 && options_.activeWorkload == Workload::SeedMix);
        if (options_.rounds && !seedMixRuns) {
            return fail("--rounds applies to seed-mix only");
        }
        if (given("active-workload") && options_.active == 0) {
            return fail("--active-workload needs --active=N");
        }
        if (options_.active > 0 && options_.activeWorkload == Workload::Idle) {
            return fail("--active-workload cannot be idle");
        }
        if (workload == Workload::Idle && options_.active == 0 && !options_.durationSeconds) {
            // Idle sessions have no operations to count: only time can end such a run.
            return fail("idle without --active needs --duration");
        }
        return true;
    }

    Options options_;
    std::map<std::string, bool> seen_;
    std::string error_;
};

}  // namespace

std::optional<std::uint64_t> parseUnsigned(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

bool isValidRunId(std::string_view id) {
    return !id.empty() && id.size() <= kMaxRunId && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
}

std::string_view workloadName(Workload workload) {
    for (const WorkloadRow& row : kWorkloads) {
        if (row.workload == workload) {
            return row.name;
        }
    }
    return "?";
}

std::optional<Workload> workloadFromName(std::string_view name) {
    for (const WorkloadRow& row : kWorkloads) {
        if (row.name == name) {
            return row.workload;
        }
    }
    return std::nullopt;
}

ParseResult parseOptions(std::span<const std::string_view> args) {
    return Parser().run(args);
}

std::string usageText() {
    return R"(usage: dfp-bench [--host=H] [--port=P] --clients=N (--duration=S | --ops=N)
                 --workload=NAME [--json] [options]

Drives a DFP/1 server with N clients and reports, per command, ops/s, p50/p95/p99/max latency
and errors. Every response is validated: a refused or malformed reply is an error, never a
completed operation. Connects only to --host (default 127.0.0.1), port 58000 unless --port.

workloads (one operation, as --ops counts it, in brackets):
  seed-mix   each client registers, creates its own thread, posts 200 messages, reads its
             thread 20 times, lists 20 times and leaves; repeated --rounds times [request]
  post       MSG into the client's own thread, or one thread with --shared [MSG]
  read       RDT of one thread of --thread-size messages (default 200) [RDT]
  list       LST after creating --thread-count threads (default 100) [LST]
  login      connect, USER, PASS of an existing account, XIT [login]
  upload     UPD of --file-size bytes (default 1M; K, M, G suffixes) with its sha256 [UPD]
  download   DWN of one --file-size file, size and sha256 checked; each client downloads
             it once before the clock starts (from disk; setup_commands in --json) [DWN]
             upload and download remove their files with RMF once the clock stops
  idle       hold N logged-in sessions open, timing a new connection's greeting every
             --probe-interval ms, while --active clients run --active-workload

options:
  --duration=S         stop after S seconds (decimals allowed)
  --ops=N              stop after N operations of each group of clients
  --rounds=N           seed-mix: rounds per client (default: until the bound)
  --active=N           also run N clients of --active-workload (default seed-mix) alongside
  --message-size=N     bytes of message text (default 100)
  --run-id=ID          prefix of user names and titles (default: random)
  --password=P         the password of every bench account (default bench-password)
  --timeout=S          longest wait for progress on a connection (default 30)
  --server-pid=PID     sample this local process's RSS (VmRSS, VmHWM) during the run
  --json               one JSON object on stdout instead of the table

exit status: 0 no errors, 1 some operation failed, 2 bad arguments, 3 could not run
)";
}

}  // namespace dfp::bench
