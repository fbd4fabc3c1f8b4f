#pragma once

// What one client saw, per command: the latencies of the operations that succeeded, the
// count of those that failed, and the body bytes moved. Each client thread has its own, so
// recording takes no lock; the runner merges them once the clients have stopped.
// Not thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/latency_histogram.h"
#include "bench/reply_check.h"

namespace dfp::bench {

struct Outcome;

struct CommandStats {
    LatencyHistogram latency;    // succeeded operations only: a failure is not a completed op
    LatencyHistogram firstItem;  // RDT, LST, DWN: until the first body line or byte
    std::uint64_t errors = 0;
    std::uint64_t bytes = 0;  // body bytes of the succeeded operations (see Outcome)
};

class Recorder {
public:
    // How many problem descriptions are kept, to show what went wrong without flooding.
    static constexpr std::size_t kMaxProblems = 8;

    void record(Command command, const Outcome& outcome);
    void recordError(std::string problem);  // a failure outside any one command
    void merge(const Recorder& other);

    const std::map<Command, CommandStats>& commands() const { return commands_; }
    std::uint64_t count(Command command) const;
    std::uint64_t errors() const { return errors_; }
    const std::vector<std::string>& problems() const { return problems_; }

private:
    void keep(const std::string& problem);

    std::map<Command, CommandStats> commands_;
    std::uint64_t errors_ = 0;
    std::vector<std::string> problems_;
};

}  // namespace dfp::bench
