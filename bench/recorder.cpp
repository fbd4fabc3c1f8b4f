#include "bench/recorder.h"

#include "bench/bench_client.h"

namespace dfp::bench {

void Recorder::record(Command command, const Outcome& outcome) {
    CommandStats& stats = commands_[command];
    if (!outcome.ok) {
        ++stats.errors;
        ++errors_;
        keep(outcome.problem);
        return;
    }
    stats.latency.record(static_cast<std::uint64_t>(outcome.latency.count()));
    if (outcome.firstItem) {
        stats.firstItem.record(static_cast<std::uint64_t>(outcome.firstItem->count()));
    }
    stats.bytes += outcome.bytes;
}

void Recorder::recordError(std::string problem) {
    ++errors_;
    keep(problem);
}

void Recorder::keep(const std::string& problem) {
    if (problems_.size() < kMaxProblems) {
        problems_.push_back(problem);
    }
}

void Recorder::merge(const Recorder& other) {
    for (const auto& [command, theirs] : other.commands_) {
        CommandStats& mine = commands_[command];
        mine.latency.merge(theirs.latency);
        mine.firstItem.merge(theirs.firstItem);
        mine.errors += theirs.errors;
        mine.bytes += theirs.bytes;
    }
    errors_ += other.errors_;
    for (const std::string& problem : other.problems_) {
        keep(problem);
    }
}

std::uint64_t Recorder::count(Command command) const {
    auto it = commands_.find(command);
    return it == commands_.end() ? 0 : it->second.latency.count();
}

}  // namespace dfp::bench
