#include "bench/report.h"

#include <cinttypes>
#include <cstdio>

namespace dfp::bench {
namespace {

constexpr double kNanosPerMilli = 1e6;
constexpr double kBytesPerMiB = 1024.0 * 1024.0;

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

double perSecond(std::uint64_t count, double seconds) {
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

std::string ms(std::uint64_t nanoseconds) {
    return fixed(static_cast<double>(nanoseconds) / kNanosPerMilli, 3);
}

std::string padLeft(const std::string& text, std::size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string padRight(const std::string& text, std::size_t width) {
    return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string kibAsMiB(std::uint64_t kib) {
    return fixed(static_cast<double>(kib) / 1024.0, 1);
}

void textRows(std::string& out, const Recorder& recorder, double seconds) {
    out +=
        "  command        ok  errors      ops/s   p50 ms   p95 ms   p99 ms    max ms     MiB/s\n";
    auto row = [&](const std::string& name, std::uint64_t ok, const std::string& errors,
                   const std::string& rate, const LatencyHistogram& h, const std::string& mib) {
        out += "  " + padRight(name, 10) + padLeft(std::to_string(ok), 8) + padLeft(errors, 8) +
               padLeft(rate, 11) + padLeft(ms(h.percentile(50)), 9) +
               padLeft(ms(h.percentile(95)), 9) + padLeft(ms(h.percentile(99)), 9) +
               padLeft(ms(h.max()), 10) + padLeft(mib, 10) + "\n";
    };
    for (const auto& [command, stats] : recorder.commands()) {
        const std::string name(commandName(command));
        const std::string mib =
            stats.bytes > 0 ? fixed(stats.bytes / kBytesPerMiB / seconds, 1) : "";
        row(name, stats.latency.count(), std::to_string(stats.errors),
            fixed(perSecond(stats.latency.count(), seconds), 1), stats.latency, mib);
        if (stats.firstItem.count() > 0) {
            row(name + " 1st", stats.firstItem.count(), "", "", stats.firstItem, "");
        }
    }
}

void jsonLatency(std::string& out, const LatencyHistogram& h) {
    out += "\"p50_ms\":" + ms(h.percentile(50)) + ",\"p95_ms\":" + ms(h.percentile(95)) +
           ",\"p99_ms\":" + ms(h.percentile(99)) + ",\"max_ms\":" + ms(h.max()) +
           ",\"mean_ms\":" + fixed(h.mean() / kNanosPerMilli, 3);
}

void jsonCommands(std::string& out, const Recorder& recorder, double seconds) {
    out += "[";
    bool first = true;
    for (const auto& [command, stats] : recorder.commands()) {
        if (!first) {
            out += ",";
        }
        first = false;
        out += "{\"command\":" + jsonString(commandName(command)) +
               ",\"ok\":" + std::to_string(stats.latency.count()) +
               ",\"errors\":" + std::to_string(stats.errors) +
               ",\"ops_per_s\":" + fixed(perSecond(stats.latency.count(), seconds), 1) + ",";
        jsonLatency(out, stats.latency);
        out += ",\"bytes\":" + std::to_string(stats.bytes) + ",\"mib_per_s\":" +
               fixed(seconds > 0 ? stats.bytes / kBytesPerMiB / seconds : 0.0, 1);
        if (stats.firstItem.count() > 0) {
            out += ",\"first_item\":{";
            jsonLatency(out, stats.firstItem);
            out += "}";
        }
        out += "}";
    }
    out += "]";
}

}  // namespace

std::uint64_t GroupReport::ops() const {
    switch (workload) {
        case Workload::SeedMix: {
            std::uint64_t total = 0;
            for (const auto& [command, stats] : measured.commands()) {
                if (command != Command::Connect) {
                    total += stats.latency.count();
                }
            }
            return total;
        }
        case Workload::Post:
            return measured.count(Command::Msg);
        case Workload::Read:
            return measured.count(Command::Rdt);
        case Workload::List:
            return measured.count(Command::Lst);
        case Workload::Login:
            return measured.count(Command::Pass);
        case Workload::Upload:
            return measured.count(Command::Upd);
        case Workload::Download:
            return measured.count(Command::Dwn);
        case Workload::Idle:
            return 0;
    }
    return 0;
}

std::uint64_t Report::errors() const {
    std::uint64_t total = problems.size();
    for (const GroupReport& group : groups) {
        total += group.errors();
    }
    if (idle) {
        total += idle->recorder.errors() + (idle->requested - idle->opened) + idle->lost;
    }
    return total;
}

std::string jsonString(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (byte < 0x20 || byte == 0x7f) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
                    out += escaped;
                } else {
                    out += c;
                }
        }
    }
    out += "\"";
    return out;
}

std::string formatText(const Report& report) {
    std::string out = "dfp-bench run " + report.runId + " against " + report.server + "\n";
    for (const GroupReport& group : report.groups) {
        out += "\n" + std::string(workloadName(group.workload)) + " (" + group.role +
               "): " + std::to_string(group.clients) + " clients, " + fixed(group.seconds, 3) +
               " s, " + std::to_string(group.ops()) + " ops, " +
               fixed(perSecond(group.ops(), group.seconds), 1) + " ops/s, " +
               std::to_string(group.errors()) + " errors";
        if (group.setup.errors() > 0) {
            out += " (" + std::to_string(group.setup.errors()) + " in setup)";
        }
        out += "\n";
        if (!group.phases.empty()) {
            out += "  phase          ops        s      ops/s\n";
            for (const PhaseReport& phase : group.phases) {
                out += "  " + padRight(phase.name, 8) + padLeft(std::to_string(phase.ops), 9) +
                       padLeft(fixed(phase.seconds, 3), 9) +
                       padLeft(fixed(perSecond(phase.ops, phase.seconds), 1), 11) + "\n";
            }
        }
        textRows(out, group.measured, group.seconds);
    }
    if (report.idle) {
        const IdleReport& idle = *report.idle;
        out += "\nidle: " + std::to_string(idle.opened) + " of " + std::to_string(idle.requested) +
               " sessions logged in, in " + fixed(idle.openSeconds, 2) + " s; " +
               std::to_string(idle.lost) + " lost while held\n";
        out += "  greeting of a new connection while they are held:\n";
        textRows(out, idle.recorder, idle.heldSeconds);
    }
    if (report.rss) {
        const RssReport& rss = *report.rss;
        out += "\nserver RSS: " + kibAsMiB(rss.startKib) + " MiB at start, peak " +
               kibAsMiB(rss.peakKib) + " MiB (" +
               (rss.peakKib >= rss.startKib ? "+" + kibAsMiB(rss.peakKib - rss.startKib)
                                            : "-" + kibAsMiB(rss.startKib - rss.peakKib)) +
               (rss.peakExact ? "" : ", sampled") + "), " + kibAsMiB(rss.endKib) + " MiB at end\n";
    }
    std::vector<std::string> problems = report.problems;
    for (const GroupReport& group : report.groups) {
        for (const Recorder* recorder : {&group.setup, &group.measured}) {
            problems.insert(problems.end(), recorder->problems().begin(),
                            recorder->problems().end());
        }
    }
    if (report.idle) {
        problems.insert(problems.end(), report.idle->recorder.problems().begin(),
                        report.idle->recorder.problems().end());
    }
    out += "\n" + std::to_string(report.errors()) + " errors\n";
    for (const std::string& problem : problems) {
        out += "  " + problem + "\n";
    }
    return out;
}

std::string formatJson(const Report& report) {
    std::string out = "{\"run_id\":" + jsonString(report.runId) +
                      ",\"server\":" + jsonString(report.server) +
                      ",\"errors\":" + std::to_string(report.errors()) + ",\"groups\":[";
    std::vector<std::string> problems = report.problems;
    for (std::size_t g = 0; g < report.groups.size(); ++g) {
        const GroupReport& group = report.groups[g];
        if (g > 0) {
            out += ",";
        }
        out += "{\"role\":" + jsonString(group.role) +
               ",\"workload\":" + jsonString(workloadName(group.workload)) +
               ",\"clients\":" + std::to_string(group.clients) +
               ",\"seconds\":" + fixed(group.seconds, 6) +
               ",\"ops\":" + std::to_string(group.ops()) +
               ",\"ops_per_s\":" + fixed(perSecond(group.ops(), group.seconds), 1) +
               ",\"errors\":" + std::to_string(group.errors()) +
               ",\"setup_errors\":" + std::to_string(group.setup.errors()) + ",\"phases\":[";
        for (std::size_t p = 0; p < group.phases.size(); ++p) {
            const PhaseReport& phase = group.phases[p];
            out += std::string(p > 0 ? "," : "") + "{\"name\":" + jsonString(phase.name) +
                   ",\"ops\":" + std::to_string(phase.ops) +
                   ",\"seconds\":" + fixed(phase.seconds, 6) +
                   ",\"ops_per_s\":" + fixed(perSecond(phase.ops, phase.seconds), 1) + "}";
        }
        out += "],\"commands\":";
        jsonCommands(out, group.measured, group.seconds);
        // Setup is not a timed phase: its commands have counts, latencies and bytes, and
        // ops_per_s and mib_per_s of 0.
        out += ",\"setup_commands\":";
        jsonCommands(out, group.setup, 0);
        out += "}";
        for (const Recorder* recorder : {&group.setup, &group.measured}) {
            problems.insert(problems.end(), recorder->problems().begin(),
                            recorder->problems().end());
        }
    }
    out += "]";
    if (report.idle) {
        const IdleReport& idle = *report.idle;
        out += ",\"idle\":{\"requested\":" + std::to_string(idle.requested) +
               ",\"opened\":" + std::to_string(idle.opened) +
               ",\"lost\":" + std::to_string(idle.lost) +
               ",\"open_seconds\":" + fixed(idle.openSeconds, 3) +
               ",\"held_seconds\":" + fixed(idle.heldSeconds, 3) + ",\"probe\":";
        jsonCommands(out, idle.recorder, idle.heldSeconds);
        out += "}";
        problems.insert(problems.end(), idle.recorder.problems().begin(),
                        idle.recorder.problems().end());
    }
    if (report.rss) {
        const RssReport& rss = *report.rss;
        out += ",\"server_rss_kib\":{\"start\":" + std::to_string(rss.startKib) +
               ",\"peak\":" + std::to_string(rss.peakKib) +
               ",\"end\":" + std::to_string(rss.endKib) +
               ",\"peak_exact\":" + (rss.peakExact ? "true" : "false") + "}";
    }
    out += ",\"problems\":[";
    for (std::size_t i = 0; i < problems.size(); ++i) {
        out += (i > 0 ? "," : "") + jsonString(problems[i]);
    }
    out += "]}\n";
    return out;
}

}  // namespace dfp::bench
