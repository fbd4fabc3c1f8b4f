#include "server/deferred_reply.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <utility>

#include "server/send_now.h"
#include "server/session.h"

namespace dfp::server {

struct DeferredReply::Shared {
    Shared(int socket, int eventFd) : socketFd(socket), wake(eventFd) {}

    enum : int { kIdle, kPending, kHandedBack };

    // The writer thread is done and the reply is out.
    void done() noexcept {
        phase.store(kIdle, std::memory_order_release);
        phase.notify_one();
    }
    // The writer thread is done and the session thread must finish the reply. The eventfd
    // first: a session woken by it waits the moment until the phase says so, and drains it
    // then, so no wake-up is left over for a later reply.
    void handBack() noexcept {
        const std::uint64_t one = 1;
        // An eventfd write fails only when its counter would pass 2^64 - 2: never here.
        (void)!::write(wake.get(), &one, sizeof one);
        phase.store(kHandedBack, std::memory_order_release);
        phase.notify_one();
    }

    const int socketFd;
    const storage::UniqueFd wake;
    std::atomic<int> phase{kIdle};
    // Written by the writer thread before it publishes kIdle or kHandedBack; the session's
    // after.
    std::optional<storage::ForumStore::PostedMessage> posted;  // the message, once committed
    std::string unsent;
    std::optional<storage::StoreError> refusal;
    std::exception_ptr error;
};

DeferredReply::DeferredReply(int socketFd) {
    const int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake < 0) {
        throw std::system_error(errno, std::generic_category(), "eventfd");
    }
    shared_ = std::make_shared<Shared>(socketFd, wake);
}

DeferredReply::~DeferredReply() {
    while (shared_->phase.load(std::memory_order_acquire) == Shared::kPending) {
        shared_->phase.wait(Shared::kPending, std::memory_order_acquire);
    }
}

storage::ForumStore::PostedCallback DeferredReply::begin(Format format, Then then) {
    then_ = std::move(then);
    shared_->phase.store(Shared::kPending, std::memory_order_relaxed);
    return [shared = shared_, format = std::move(format)](
               const storage::StoreResult<storage::ForumStore::PostedMessage>* posted,
               std::exception_ptr error) {
        Shared& s = *shared;
        try {
            if (error) {
                s.error = error;
            } else if (!*posted) {
                s.refusal = posted->error();
            } else {
                s.posted = **posted;
                const std::string line = format(**posted);
                // A socket that is full or broken stops it: the session thread then sends the rest,
                // and meets the error.
                const std::size_t sent = sendNow(s.socketFd, line).sent;
                if (sent == line.size()) {
                    s.done();
                    return;
                }
                s.unsent = line.substr(sent);
            }
        } catch (...) {
            s.error = std::current_exception();
        }
        s.handBack();
    };
}

void DeferredReply::cancel() {
    then_ = nullptr;
    shared_->phase.store(Shared::kIdle, std::memory_order_relaxed);
}

bool DeferredReply::pending() const {
    return shared_->phase.load(std::memory_order_acquire) != Shared::kIdle;
}

bool DeferredReply::handedBack() const {
    return shared_->phase.load(std::memory_order_acquire) == Shared::kHandedBack;
}

int DeferredReply::wakeFd() const {
    return shared_->wake.get();
}

void DeferredReply::settle(ReplySink& out, const std::function<void(storage::StoreError)>& refuse) {
    Shared& s = *shared_;
    int phase = Shared::kPending;
    while ((phase = s.phase.load(std::memory_order_acquire)) == Shared::kPending) {
        s.phase.wait(Shared::kPending, std::memory_order_acquire);
    }
    if (phase == Shared::kHandedBack) {
        std::uint64_t count = 0;
        (void)!::read(s.wake.get(), &count, sizeof count);
        const std::string unsent = std::exchange(s.unsent, {});
        const std::optional<storage::StoreError> refusal = std::exchange(s.refusal, std::nullopt);
        const std::exception_ptr error = std::exchange(s.error, nullptr);
        s.phase.store(Shared::kIdle, std::memory_order_relaxed);
        if (error) {
            s.posted.reset();
            std::rethrow_exception(error);
        }
        if (refusal) {
            refuse(*refusal);
            return;
        }
        out.write(unsent);
    }
    if (const std::optional<storage::ForumStore::PostedMessage> posted =
            std::exchange(s.posted, std::nullopt)) {
        Then then = std::exchange(then_, nullptr);
        if (then) {
            then(*posted);
        }
    }
}

}  // namespace dfp::server
