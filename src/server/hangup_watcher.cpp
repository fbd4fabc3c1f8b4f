#include "server/hangup_watcher.h"

#include <pthread.h>
#include <signal.h>

namespace dfp::server {

HangupWatcher::HangupWatcher(std::function<void()> onHangup)
    : onHangup_(std::move(onHangup)), thread_([this] { run(); }) {}

HangupWatcher::~HangupWatcher() {
    stopping_ = true;
    // A SIGHUP aimed at this thread alone wakes its sigwait(); it sees stopping_ and returns.
    pthread_kill(thread_.native_handle(), SIGHUP);
    thread_.join();
}

void HangupWatcher::run() {
    sigset_t hangup;
    sigemptyset(&hangup);
    sigaddset(&hangup, SIGHUP);
    for (;;) {
        int signal = 0;
        if (sigwait(&hangup, &signal) != 0) {
            continue;
        }
        if (stopping_) {
            return;
        }
        onHangup_();
    }
}

}  // namespace dfp::server
