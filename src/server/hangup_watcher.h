#pragma once

// SIGHUP, the operators' "reopen your log files", handled on a thread of its own by sigwait():
// no async-signal-safety concerns, and the handler may take locks and log. SIGHUP must be
// blocked in every thread (the server blocks it before starting any), or the default action
// would end the process.

#include <atomic>
#include <functional>
#include <thread>

namespace dfp::server {

class HangupWatcher {
public:
    explicit HangupWatcher(std::function<void()> onHangup);
    ~HangupWatcher();  // stops the thread and joins it
    HangupWatcher(const HangupWatcher&) = delete;
    HangupWatcher& operator=(const HangupWatcher&) = delete;

private:
    void run();

    std::function<void()> onHangup_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace dfp::server
