#pragma once

// The phases of seed-mix, kept in step across clients: every client finishes one phase
// (login, post, read, list) before any starts the next, so each phase's throughput is its
// operations over the time between two barriers, as the "read phases" figure needs.
// A client whose connection broke still arrives at every barrier (it just skips the
// operations), so no client waits for one that left. Thread-safety: every member may be used
// by all the group's clients; the barrier's completion step runs alone.

#include <barrier>
#include <cstdint>
#include <optional>
#include <vector>

#include "bench/budget.h"
#include "bench/report.h"

namespace dfp::bench {

class SeedMixRounds {
public:
    static constexpr int kPhases = 4;

    SeedMixRounds(unsigned clients, Budget& budget, std::optional<std::uint64_t> maxRounds);

    void begin(Clock::time_point start);  // before the clients are released
    void endPhase() { barrier_.arrive_and_wait(); }
    // After the list phase's barrier: whether another round starts. The same answer for all.
    bool goOn() const { return goOn_; }

    Clock::time_point finishedAt() const { return phaseStart_; }
    // Phase ops come from the merged recorder: each command belongs to one phase.
    std::vector<PhaseReport> phases(const Recorder& merged) const;

private:
    struct Completion {
        SeedMixRounds* self;
        void operator()() noexcept;
    };
    void completePhase() noexcept;

    Budget& budget_;
    std::optional<std::uint64_t> maxRounds_;
    std::barrier<Completion> barrier_;
    // Written only by the completion step (or before the clients start); the barrier orders
    // those writes before every client's next read.
    Clock::time_point phaseStart_;
    int phase_ = 0;
    std::uint64_t rounds_ = 0;
    bool goOn_ = true;
    Clock::duration phaseTime_[kPhases] = {};
};

}  // namespace dfp::bench
