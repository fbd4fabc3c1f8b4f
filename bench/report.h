#pragma once

// The result of a run and its two renderings: a table for people and one JSON object for
// scripts (bench/run-all.sh). Formatting is pure, so tests can check both.
//
// Definitions, also in docs/performance.md: a group's ops are its workload's own operations
// (seed-mix: every request; post: MSG; read: RDT; list: LST; login: logins; upload: UPD;
// download: DWN) that succeeded; ops/s divides a count by the group's elapsed time, from the
// start of the measured phase until its last client stopped; a seed-mix phase's ops/s uses
// the time between the barriers that end the previous phase and this one.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/options.h"
#include "bench/recorder.h"

namespace dfp::bench {

struct PhaseReport {
    std::string name;
    std::uint64_t ops = 0;
    double seconds = 0;
};

struct GroupReport {
    std::string role;  // "main", or "active" for the group --active adds
    Workload workload = Workload::SeedMix;
    unsigned clients = 0;
    double seconds = 0;
    Recorder measured;
    Recorder setup;  // accounts, threads and files made before the clock starts
    std::vector<PhaseReport> phases;

    std::uint64_t ops() const;
    std::uint64_t errors() const { return measured.errors() + setup.errors(); }
};

struct IdleReport {
    unsigned requested = 0;
    unsigned opened = 0;
    unsigned lost = 0;  // closed by the server while held
    double openSeconds = 0;
    double heldSeconds = 0;  // the measured phase, while the sessions were held
    Recorder recorder;  // CONNECT: the greeting of a new connection while the sessions are held
};

struct RssReport {
    std::uint64_t startKib = 0;  // when the measured phase began
    std::uint64_t peakKib = 0;   // highest during it
    std::uint64_t endKib = 0;
    bool peakExact = false;  // from VmHWM after a reset, not only from sampling
};

struct Report {
    std::string runId;
    std::string server;
    std::vector<GroupReport> groups;
    std::optional<IdleReport> idle;
    std::optional<RssReport> rss;
    // run-level failures (cannot connect, setup aborted, teardown refused)
    std::vector<std::string> problems;

    std::uint64_t errors() const;
};

std::string formatText(const Report& report);
std::string formatJson(const Report& report);

// JSON string escaping (RFC 8259), for problem texts that quote what a server sent.
std::string jsonString(std::string_view text);

}  // namespace dfp::bench
