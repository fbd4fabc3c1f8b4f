#include "server/session_registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <system_error>
#include <vector>

#include "protocol/validators.h"

namespace dfp::server {

SessionRegistry::SessionRegistry(unsigned maxSessions, unsigned maxPreLogin)
    : maxSessions_(maxSessions),
      maxPreLogin_(maxPreLogin == 0 ? maxSessions : std::min(maxPreLogin, maxSessions)) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    wakeRead_ = fds[0];
    wakeWrite_ = fds[1];
}

SessionRegistry::~SessionRegistry() {
    ::close(wakeRead_);
    ::close(wakeWrite_);
}

SessionSlot::~SessionSlot() {
    if (registry_ != nullptr) {
        registry_->leave(id_);
    }
}

LoginTicket::~LoginTicket() {
    registry_->logout(key_);
}

std::optional<SessionSlot> SessionRegistry::enter(std::function<void()> abort) {
    std::lock_guard lock(mu_);
    if (open_ >= maxSessions_) {
        return std::nullopt;
    }
    if (preLogin_.size() >= maxPreLogin_) {
        // The oldest waiter has had the longest to log in; a real user logs in within a
        // moment, so under a slowloris flood it is the attacker's connections that go. The
        // abort runs under the lock, without a copy: the callback holds a reference to that
        // session's socket, which must be released by its own thread, not this one.
        const std::uint64_t oldest = *preLogin_.begin();
        preLogin_.erase(preLogin_.begin());
        if (auto it = aborts_.find(oldest); it != aborts_.end() && it->second) {
            it->second();
        }
    }
    ++open_;
    const std::uint64_t id = nextId_++;
    aborts_[id] = std::move(abort);
    preLogin_.insert(id);
    return SessionSlot(*this, id);
}

void SessionRegistry::markLoggedIn(std::uint64_t id) {
    std::lock_guard lock(mu_);
    preLogin_.erase(id);
}

void SessionRegistry::leave(std::uint64_t id) {
    std::lock_guard lock(mu_);
    aborts_.erase(id);
    preLogin_.erase(id);
    --open_;
    if (open_ == 0) {
        emptied_.notify_all();
    }
}

std::unique_ptr<LoginTicket> SessionRegistry::login(std::string_view user) {
    std::string key = protocol::foldUsername(user);
    std::lock_guard lock(mu_);
    if (!online_.insert(key).second) {
        return nullptr;
    }
    return std::make_unique<LoginTicket>(*this, std::move(key));
}

void SessionRegistry::logout(const std::string& key) {
    std::lock_guard lock(mu_);
    online_.erase(key);
}

void SessionRegistry::requestShutdown() {
    if (shuttingDown_.exchange(true, std::memory_order_acq_rel)) {
        return;
    }
    // One byte, never read: the pipe stays readable and wakes every waiting session.
    const char byte = 1;
    [[maybe_unused]] auto written = ::write(wakeWrite_, &byte, 1);
    std::function<void()> callback;
    {
        std::lock_guard lock(mu_);
        callback = onShutdown_;
    }
    if (callback) {
        callback();
    }
}

void SessionRegistry::onShutdownRequested(std::function<void()> callback) {
    std::lock_guard lock(mu_);
    onShutdown_ = std::move(callback);
}

bool SessionRegistry::waitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    return emptied_.wait_until(lock, deadline, [this] { return open_ == 0; });
}

void SessionRegistry::abortAll() {
    // Under the lock, for the reason given in enter(); an abort only shuts a socket down,
    // which does not block.
    std::lock_guard lock(mu_);
    for (auto& [id, abort] : aborts_) {
        if (abort) {
            abort();
        }
    }
}

unsigned SessionRegistry::openSessions() const {
    std::lock_guard lock(mu_);
    return open_;
}

}  // namespace dfp::server
