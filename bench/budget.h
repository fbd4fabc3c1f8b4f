#pragma once

// How much one group of clients may still do: at most --ops operations and nothing after
// the --duration deadline. Clients claim each operation before starting it, so a count bound
// is exact however many clients race for it. Thread-safe: shared by a group's clients; the
// deadline is set once, before the clients are released (the start latch orders it).

#include <atomic>
#include <cstdint>
#include <optional>

#include "bench/socket.h"

namespace dfp::bench {

class Budget {
public:
    explicit Budget(std::optional<std::uint64_t> ops = std::nullopt) : limit_(ops) {}

    void setDeadline(std::optional<Clock::time_point> deadline) { deadline_ = deadline; }

    // True if one more operation may start; each true uses one up.
    bool claim() {
        if (stopped_.load(std::memory_order_relaxed)) {
            return false;
        }
        if (deadline_ && Clock::now() >= *deadline_) {
            return false;
        }
        return !limit_ || claimed_.fetch_add(1, std::memory_order_relaxed) < *limit_;
    }

    bool exhausted() const {
        return stopped_.load(std::memory_order_relaxed) ||
               (deadline_ && Clock::now() >= *deadline_) ||
               (limit_ && claimed_.load(std::memory_order_relaxed) >= *limit_);
    }

    void stop() { stopped_ = true; }

private:
    std::optional<std::uint64_t> limit_;
    std::optional<Clock::time_point> deadline_;
    std::atomic<std::uint64_t> claimed_{0};
    std::atomic<bool> stopped_{false};
};

}  // namespace dfp::bench
