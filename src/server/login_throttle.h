#pragma once

// LoginThrottle: slows password guessing across connections (the per-connection limit of
// protocol.md §3 stops only one connection). Failed logins are counted per client address
// and per account in fixed windows; once either count reaches its limit, logins from that
// address or for that account are refused with 429, right password or not, until the
// window ends. Refused attempts are not counted, so the lock lifts on time.
//
// Thread-safety: every method may be called from any thread. Memory is bounded: windows
// that have ended are dropped, and at most kMaxTracked keys of each kind are kept.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace dfp::server {

class LoginThrottle {
public:
    using Clock = std::chrono::steady_clock;

    struct Limits {
        unsigned perAddress = 20;
        unsigned perAccount = 10;
        std::chrono::seconds window{300};
    };

    explicit LoginThrottle(Limits limits) : limits_(limits) {}

    // False while address or account (either may be empty: not judged) is locked.
    bool allowed(std::string_view address, std::string_view account, Clock::time_point now);
    void recordFailure(std::string_view address, std::string_view account, Clock::time_point now);

    static constexpr std::size_t kMaxTracked = 100000;

private:
    struct Window {
        Clock::time_point start;
        unsigned failures = 0;
    };
    using Counters = std::map<std::string, Window, std::less<>>;

    bool locked(Counters& counters, std::string_view key, unsigned limit, Clock::time_point now);
    void count(Counters& counters, std::string_view key, Clock::time_point now);

    const Limits limits_;
    std::mutex mu_;
    Counters byAddress_;  // guarded by mu_
    Counters byAccount_;  // guarded by mu_; keys are lower-cased user names
};

}  // namespace dfp::server
