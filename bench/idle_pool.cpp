#include "bench/idle_pool.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "bench/reply_check.h"
#include "protocol/response_reader.h"

namespace dfp::bench {
namespace {

// Logins in flight at once: enough to keep the server's acceptor and hashing busy, few
// enough that no login waits behind thousands of others and hits the timeout.
constexpr unsigned kWindow = 64;
constexpr auto kPollInterval = std::chrono::milliseconds(100);

}  // namespace

struct IdlePool::Slot {
    enum class State { Waiting, Connecting, Greeting, User, Pass, Held, Closed };
    Socket socket;
    State state = State::Waiting;
    protocol::ResponseReader reader{4096};
    std::optional<ReplyCheck> check;
    Clock::time_point deadline;
    std::string user;
};

IdlePool::IdlePool(const Endpoint& endpoint, std::string userPrefix, std::string password,
                   unsigned count, Clock::duration timeout)
    : endpoint_(&endpoint),
      userPrefix_(std::move(userPrefix)),
      password_(std::move(password)),
      count_(count),
      timeout_(timeout),
      slots_(count) {}

IdlePool::~IdlePool() = default;

void IdlePool::fail(Slot& slot, const std::string& problem, Recorder& recorder) {
    if (slot.state != Slot::State::Held && slot.state != Slot::State::Closed) {
        --inFlight_;
    }
    slot.state = Slot::State::Closed;
    slot.socket.close();
    recorder.recordError("idle session " + slot.user + ": " + problem);
}

void IdlePool::start(Slot& slot, unsigned index, Recorder& recorder) {
    slot.user = userPrefix_ + std::to_string(index);
    slot.deadline = Clock::now() + timeout_;
    ++inFlight_;
    slot.state = Slot::State::Connecting;
    Socket socket(::socket(endpoint_->family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket.isOpen()) {
        fail(slot, "socket: " + errnoText(errno), recorder);
        return;
    }
    if (::connect(socket.fd(), endpoint_->address(), endpoint_->length()) == 0) {
        slot.state = Slot::State::Greeting;
        slot.check.emplace(expectGreeting());
    } else if (errno != EINPROGRESS) {
        fail(slot, "connect: " + errnoText(errno), recorder);
        return;
    }
    slot.socket = std::move(socket);
}

void IdlePool::advance(Slot& slot, short revents, Recorder& recorder) {
    if (slot.state == Slot::State::Connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(slot.socket.fd(), SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            fail(slot, "connect: " + errnoText(error), recorder);
            return;
        }
        slot.state = Slot::State::Greeting;
        slot.check.emplace(expectGreeting());
        return;
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        return;
    }
    char buffer[4096];
    for (;;) {
        const ssize_t got = ::recv(slot.socket.fd(), buffer, sizeof buffer, MSG_DONTWAIT);
        if (got > 0) {
            slot.reader.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
            continue;
        }
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        fail(slot, got == 0 ? "the server closed the connection" : errnoText(errno), recorder);
        return;
    }
    while (std::optional<protocol::ResponseEvent> event = slot.reader.next()) {
        if (!slot.check->take(*event)) {
            continue;
        }
        if (!slot.check->ok()) {
            fail(slot, slot.check->problem(), recorder);
            return;
        }
        switch (slot.state) {
            case Slot::State::Greeting: {
                // USER and PASS in one write: PASS right after USER completes the login.
                const std::string lines = "USER " + slot.user + "\nPASS " + password_ + "\n";
                try {
                    slot.socket.sendAll(lines, timeout_);
                } catch (const IoError& e) {
                    fail(slot, e.what(), recorder);
                    return;
                }
                slot.state = Slot::State::User;
                slot.check.emplace(expectUser(/*newAccount=*/true));
                slot.deadline = Clock::now() + timeout_;
                break;
            }
            case Slot::State::User:
                slot.state = Slot::State::Pass;
                slot.check.emplace(expectPass(slot.user, /*newAccount=*/true));
                break;
            case Slot::State::Pass:
                slot.state = Slot::State::Held;
                slot.check.reset();
                --inFlight_;
                ++opened_;
                return;
            default:
                return;
        }
    }
}

void IdlePool::open(Recorder& recorder) {
    using State = Slot::State;
    unsigned next = 0;
    std::vector<Slot*> inFlight;  // at most kWindow: each pass looks at these only
    std::vector<pollfd> fds;
    for (;;) {
        while (inFlight_ < kWindow && next < count_ && !stopping_) {
            Slot& slot = slots_[next++];
            start(slot, next - 1, recorder);
            if (slot.state != State::Closed) {
                inFlight.push_back(&slot);
            }
        }
        const auto now = Clock::now();
        std::erase_if(inFlight, [&](Slot* slot) {
            if (slot->state != State::Held && slot->state != State::Closed &&
                now > slot->deadline) {
                fail(*slot, "no progress within the timeout", recorder);
            }
            return slot->state == State::Held || slot->state == State::Closed;
        });
        if (inFlight.empty()) {
            if (next == count_ || stopping_) {
                return;
            }
            continue;
        }
        fds.clear();
        for (Slot* slot : inFlight) {
            const short events = slot->state == State::Connecting ? POLLOUT : POLLIN;
            fds.push_back(pollfd{slot->socket.fd(), events, 0});
        }
        const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(kPollInterval.count()));
        if (ready <= 0) {
            continue;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents != 0) {
                advance(*inFlight[i], fds[i].revents, recorder);
            }
        }
    }
}

// epoll, not poll(): the bench shares the CPUs with the server it measures, and a poll() over
// 10,000 descriptors ten times a second would charge the server's figures with the bench's
// own bookkeeping. Registered once, the held sessions cost nothing until one of them speaks.
void IdlePool::hold() {
    const int watcher = ::epoll_create1(EPOLL_CLOEXEC);
    if (watcher < 0) {
        throw IoError(std::string("epoll_create1: ") + std::strerror(errno));
    }
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].state != Slot::State::Held) {
            continue;
        }
        epoll_event interest{};
        interest.events = EPOLLIN | EPOLLRDHUP;
        interest.data.u64 = i;
        if (::epoll_ctl(watcher, EPOLL_CTL_ADD, slots_[i].socket.fd(), &interest) != 0) {
            const int error = errno;
            ::close(watcher);
            throw IoError(std::string("epoll_ctl: ") + std::strerror(error));
        }
    }
    std::vector<epoll_event> events(256);
    char buffer[4096];
    while (!stopping_) {
        const int ready = ::epoll_wait(watcher, events.data(), static_cast<int>(events.size()),
                                       static_cast<int>(kPollInterval.count()));
        for (int k = 0; k < ready; ++k) {
            Slot& slot = slots_[events[static_cast<std::size_t>(k)].data.u64];
            if (slot.state != Slot::State::Held) {
                continue;
            }
            // Only a notice (600, 601) or a close can arrive on a held session; either way
            // the session is going, and the close that follows counts it as lost.
            const ssize_t got = ::recv(slot.socket.fd(), buffer, sizeof buffer, MSG_DONTWAIT);
            if (got > 0 || (got < 0 && (errno == EAGAIN || errno == EINTR))) {
                continue;
            }
            ++lost_;
            slot.state = Slot::State::Closed;
            ::epoll_ctl(watcher, EPOLL_CTL_DEL, slot.socket.fd(), nullptr);
            slot.socket.close();
        }
    }
    ::close(watcher);
}

}  // namespace dfp::bench
