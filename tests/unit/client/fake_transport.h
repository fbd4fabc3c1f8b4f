#pragma once

// A Transport for unit tests: hands out scripted chunks of server bytes one receive() at a
// time, so a test decides exactly where responses, bodies and binary data are split, and
// records everything the client sends.

#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "client/transport.h"

namespace dfp::client::test {

class FakeTransport : public Transport {
public:
    // Each call queues one receive() result.
    void arrive(std::string bytes) { incoming_.push_back({Status::Ok, std::move(bytes)}); }
    // The bytes arrive one receive() at a time, each byte alone.
    void arriveBytewise(std::string_view bytes) {
        for (char byte : bytes) {
            arrive(std::string(1, byte));
        }
    }
    void close() { incoming_.push_back({Status::Closed, {}}); }
    void interrupt() { incoming_.push_back({Status::Interrupted, {}}); }

    // Runs hook when receive() is called for the n-th time, before it answers.
    void onReceive(int n, std::function<void()> hook) {
        hookAt_ = n;
        hook_ = std::move(hook);
    }

    Received receive(std::chrono::milliseconds /*timeout*/) override {
        ++receives_;
        if (receives_ == hookAt_ && hook_) {
            hook_();
        }
        if (incoming_.empty()) {
            return {closedForGood_ ? Status::Closed : Status::TimedOut, {}};
        }
        Received next = std::move(incoming_.front());
        incoming_.pop_front();
        if (next.status == Status::Closed) {
            closedForGood_ = true;
        }
        return next;
    }

    Status send(std::string_view bytes, std::chrono::milliseconds /*timeout*/) override {
        if (closedForGood_ || refuseSends_) {
            return Status::Closed;
        }
        sent_.append(bytes);
        return Status::Ok;
    }
    bool hasPending() const override { return pendingAfterSend_ && !incoming_.empty(); }
    int pollDescriptor() const override { return -1; }

    const std::string& sent() const { return sent_; }
    void clearSent() { sent_.clear(); }
    int receives() const { return receives_; }
    std::size_t unread() const { return incoming_.size(); }
    // hasPending() reports queued bytes: models a notice arriving during an upload.
    void reportPending(bool on) { pendingAfterSend_ = on; }
    void refuseSends() { refuseSends_ = true; }

private:
    std::deque<Received> incoming_;
    std::string sent_;
    int receives_ = 0;
    bool closedForGood_ = false;
    bool pendingAfterSend_ = false;
    bool refuseSends_ = false;
    int hookAt_ = 0;
    std::function<void()> hook_;
};

}  // namespace dfp::client::test
