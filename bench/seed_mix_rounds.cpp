#include "bench/seed_mix_rounds.h"

#include <chrono>

namespace dfp::bench {
namespace {

struct PhaseDef {
    const char* name;
    std::vector<Command> commands;
};

// The round: register and create a thread, post 200 messages, read the thread 20
// times, list 20 times and leave.
const PhaseDef kPhaseDefs[SeedMixRounds::kPhases] = {
    {"login", {Command::User, Command::Pass, Command::Crt}},
    {"post", {Command::Msg}},
    {"read", {Command::Rdt}},
    {"list", {Command::Lst, Command::Xit}},
};

}  // namespace

SeedMixRounds::SeedMixRounds(unsigned clients, Budget& budget,
                             std::optional<std::uint64_t> maxRounds)
    : budget_(budget),
      maxRounds_(maxRounds),
      barrier_(static_cast<std::ptrdiff_t>(clients), Completion{this}) {}

void SeedMixRounds::begin(Clock::time_point start) {
    phaseStart_ = start;
    goOn_ = !budget_.exhausted();
}

void SeedMixRounds::Completion::operator()() noexcept {
    self->completePhase();
}

void SeedMixRounds::completePhase() noexcept {
    const auto now = Clock::now();
    phaseTime_[phase_] += now - phaseStart_;
    phaseStart_ = now;
    phase_ = (phase_ + 1) % kPhases;
    if (phase_ == 0) {
        ++rounds_;
        goOn_ = !budget_.exhausted() && (!maxRounds_ || rounds_ < *maxRounds_);
    }
}

std::vector<PhaseReport> SeedMixRounds::phases(const Recorder& merged) const {
    std::vector<PhaseReport> out;
    for (int i = 0; i < kPhases; ++i) {
        PhaseReport phase;
        phase.name = kPhaseDefs[i].name;
        for (Command command : kPhaseDefs[i].commands) {
            phase.ops += merged.count(command);
        }
        phase.seconds = std::chrono::duration<double>(phaseTime_[i]).count();
        out.push_back(phase);
    }
    return out;
}

}  // namespace dfp::bench
