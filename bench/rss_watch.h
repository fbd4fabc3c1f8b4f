#pragma once

// The resident memory of a local server process during the measured phase, from
// /proc/<pid>/status. begin() resets the kernel's high-water mark (VmHWM, through
// /proc/<pid>/clear_refs, which needs the right to write there) so that the peak belongs to
// this phase; a sampler thread also reads VmRSS every few milliseconds, so the peak is known
// even where the reset is not allowed. Thread-safety: begin() and end() from one thread.

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "bench/report.h"

namespace dfp::bench {

class RssWatch {
public:
    explicit RssWatch(pid_t pid);
    ~RssWatch();
    RssWatch(const RssWatch&) = delete;
    RssWatch& operator=(const RssWatch&) = delete;

    void begin();
    RssReport end();

    // A "Name:   123 kB" field of /proc/<pid>/status, in KiB; nullopt if unreadable.
    static std::optional<std::uint64_t> readStatusKib(pid_t pid, std::string_view field);

private:
    void sample();

    pid_t pid_;
    RssReport report_;
    std::atomic<std::uint64_t> sampledPeak_{0};
    std::mutex mu_;
    std::condition_variable wake_;
    bool stop_ = false;  // guarded by mu_
    std::thread sampler_;
};

}  // namespace dfp::bench
