#include "server/login_throttle.h"

#include <algorithm>
#include <cctype>

#include "protocol/validators.h"

namespace dfp::server {

bool LoginThrottle::locked(Counters& counters, std::string_view key, unsigned limit,
                           Clock::time_point now) {
    if (key.empty()) {
        return false;
    }
    auto it = counters.find(key);
    if (it == counters.end()) {
        return false;
    }
    if (now - it->second.start >= limits_.window) {
        counters.erase(it);
        return false;
    }
    return it->second.failures >= limit;
}

void LoginThrottle::count(Counters& counters, std::string_view key, Clock::time_point now) {
    if (key.empty()) {
        return;
    }
    auto it = counters.find(key);
    if (it != counters.end() && now - it->second.start >= limits_.window) {
        counters.erase(it);
        it = counters.end();
    }
    if (it == counters.end()) {
        if (counters.size() >= kMaxTracked) {
            // Under a flood of distinct keys, forget windows that have ended first, then
            // (still full) the oldest, rather than grow without bound.
            std::erase_if(counters, [&](const auto& entry) {
                return now - entry.second.start >= limits_.window;
            });
            if (counters.size() >= kMaxTracked) {
                counters.erase(std::min_element(
                    counters.begin(), counters.end(),
                    [](const auto& a, const auto& b) { return a.second.start < b.second.start; }));
            }
        }
        it = counters.emplace(std::string(key), Window{now, 0}).first;
    }
    ++it->second.failures;
}

bool LoginThrottle::allowed(std::string_view address, std::string_view account,
                            Clock::time_point now) {
    std::lock_guard lock(mu_);
    return !locked(byAddress_, address, limits_.perAddress, now) &&
           !locked(byAccount_, protocol::foldUsername(account), limits_.perAccount, now);
}

void LoginThrottle::recordFailure(std::string_view address, std::string_view account,
                                  Clock::time_point now) {
    std::lock_guard lock(mu_);
    count(byAddress_, address, now);
    count(byAccount_, protocol::foldUsername(account), now);
}

}  // namespace dfp::server
