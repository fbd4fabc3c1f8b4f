#pragma once

// Many logged-in sessions held open by one thread: the idle workload's cheap side. Sessions
// are opened a window at a time with non-blocking sockets and poll(): connect, greeting,
// then USER and PASS pipelined (protocol.md §1, §3), each new account registered. Once held,
// a session is only read from, so a 6xx notice or a close by the server is seen and counted.
// Thread-safety: open() and hold() run on one thread at a time; stop() and the counters may
// be used from any thread.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench/recorder.h"
#include "bench/socket.h"

namespace dfp::bench {

class IdlePool {
public:
    IdlePool(const Endpoint& endpoint, std::string userPrefix, std::string password, unsigned count,
             Clock::duration timeout);
    ~IdlePool();
    IdlePool(const IdlePool&) = delete;
    IdlePool& operator=(const IdlePool&) = delete;

    // Opens and logs in every session; returns when each has succeeded or failed. Failures
    // are recorded in `recorder` with their reason.
    void open(Recorder& recorder);

    // Reads whatever the held sessions receive until stop(), counting those the server closes.
    void hold();
    void stop() { stopping_ = true; }

    unsigned opened() const { return opened_; }
    unsigned lost() const { return lost_; }

private:
    struct Slot;
    void start(Slot& slot, unsigned index, Recorder& recorder);
    void advance(Slot& slot, short revents, Recorder& recorder);
    void fail(Slot& slot, const std::string& problem, Recorder& recorder);

    const Endpoint* endpoint_;
    std::string userPrefix_;
    std::string password_;
    unsigned count_;
    Clock::duration timeout_;
    std::vector<Slot> slots_;
    unsigned inFlight_ = 0;
    std::atomic<unsigned> opened_{0};
    std::atomic<unsigned> lost_{0};
    std::atomic<bool> stopping_{false};
};

}  // namespace dfp::bench
