#include "server/parking_lot.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Logger.h>

namespace dfp::server {

using Clock = std::chrono::steady_clock;

namespace {

// epoll keys: a parked connection's socket is its key, its wake descriptor the key with
// kWakeBit; the two lot-wide descriptors have keys no connection reaches.
constexpr std::uint64_t kWakeBit = std::uint64_t{1} << 63;
constexpr std::uint64_t kShutdownKey = std::uint64_t{1} << 62;
constexpr std::uint64_t kStopKey = kShutdownKey + 1;
constexpr std::uint64_t kDueKey = kShutdownKey + 2;

// The lot whose worker the calling thread is, and whether it has been replaced this turn.
thread_local ParkingLot* tlsLot = nullptr;
thread_local bool tlsCompensated = false;

void watch(int epoll, int op, int fd, std::uint32_t events, std::uint64_t key) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = key;
    if (::epoll_ctl(epoll, op, fd, &ev) != 0) {
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    }
}

}  // namespace

void ParkingLot::WorkerTask::run() {
    lot_.work();
}

ParkingLot::ParkingLot(Poco::ThreadPool& pool, unsigned workers, int shutdownFd)
    : pool_(pool),
      target_(workers == 0 ? 1 : workers),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      stopFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      dueFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!epoll_ || !stopFd_ || !dueFd_) {
        throw std::system_error(errno, std::generic_category(), "parking lot");
    }
    // Level-triggered and never drained: once readable, every worker sees them and leaves.
    watch(epoll_.get(), EPOLL_CTL_ADD, shutdownFd, EPOLLIN, kShutdownKey);
    watch(epoll_.get(), EPOLL_CTL_ADD, stopFd_.get(), EPOLLIN, kStopKey);
    // One worker at a time takes the sessions the sweeper found expired.
    watch(epoll_.get(), EPOLL_CTL_ADD, dueFd_.get(), EPOLLIN | EPOLLONESHOT, kDueKey);
    for (unsigned i = 0; i < target_; ++i) {
        if (!startWorker()) {
            stop();
            throw std::runtime_error("no thread for the parking lot's workers");
        }
    }
    sweeper_ = std::thread([this] { sweep(); });
}

ParkingLot::~ParkingLot() {
    stop();
}

bool ParkingLot::startWorker() {
    running_.fetch_add(1, std::memory_order_acq_rel);
    try {
        pool_.start(task_);
        return true;
    } catch (const Poco::Exception&) {
        // The pool is at its capacity (every thread serves a session).
        std::lock_guard lock(mu_);
        running_.fetch_sub(1, std::memory_order_acq_rel);
        workerLeft_.notify_all();
        return false;
    }
}

void ParkingLot::compensate() {
    if (tlsLot == nullptr || tlsCompensated) {
        return;
    }
    // Without a thread to spare, this worker's wait holds up the parked sessions until it
    // ends; the session it serves is not refused for that.
    tlsCompensated = tlsLot->startWorker();
}

bool ParkingLot::park(std::unique_ptr<Parkable>& connection) {
    Parkable& c = *connection;
    std::lock_guard lock(mu_);
    if (closing_) {
        return false;
    }
    if (c.key_ == 0) {
        c.key_ = nextKey_++;
    }
    const Clock::time_point deadline = c.deadline();
    // In the map before it is armed: an event that comes at once must find it there.
    parked_.emplace(c.key_, Entry{std::move(connection), deadline});
    try {
        watch(epoll_.get(), c.socketRegistered_ ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c.socketFd(),
              EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, c.key_);
        c.socketRegistered_ = true;
        if (const int wake = c.wakeFd(); wake >= 0) {
            watch(epoll_.get(), c.wakeRegistered_ == wake ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, wake,
                  EPOLLIN | EPOLLONESHOT, c.key_ | kWakeBit);
            c.wakeRegistered_ = wake;
        }
    } catch (...) {
        auto it = parked_.find(c.key_);
        connection = std::move(it->second.connection);
        parked_.erase(it);
        throw;
    }
    if (deadline < sweepAt_) {
        sweepAt_ = deadline;
        sweepChanged_.notify_all();
    }
    return true;
}

std::size_t ParkingLot::parked() const {
    std::lock_guard lock(mu_);
    return parked_.size();
}

std::unique_ptr<Parkable> ParkingLot::claim(std::uint64_t key) {
    std::lock_guard lock(mu_);
    auto it = parked_.find(key);
    if (it == parked_.end()) {
        return nullptr;
    }
    std::unique_ptr<Parkable> connection = std::move(it->second.connection);
    parked_.erase(it);
    return connection;
}

void ParkingLot::forget(Parkable& connection) {
    if (connection.socketRegistered_) {
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, connection.socketFd(), nullptr);
        connection.socketRegistered_ = false;
    }
    if (connection.wakeRegistered_ >= 0) {
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, connection.wakeRegistered_, nullptr);
        connection.wakeRegistered_ = -1;
    }
}

void ParkingLot::work() {
    tlsLot = this;
    tlsCompensated = false;
    Poco::Logger& log = Poco::Logger::get("dfp.server");
    for (;;) {
        epoll_event ev{};
        // One event at a time: a worker that took several would serve them in turn while
        // another worker might be free.
        const int ready = ::epoll_wait(epoll_.get(), &ev, 1, -1);
        if (ready < 0 && errno != EINTR) {
            log.error("event=parking-failed error=\"epoll_wait: %s\"",
                      std::system_category().message(errno));
            break;
        }
        if (ready <= 0) {
            continue;
        }
        if (ev.data.u64 == kStopKey) {
            break;
        }
        if (ev.data.u64 == kShutdownKey) {
            closeAll();
            break;
        }
        if (ev.data.u64 == kDueKey) {
            expireDue();
        } else if (std::unique_ptr<Parkable> connection = claim(ev.data.u64 & ~kWakeBit)) {
            if (connection->resume()) {
                try {
                    if (!park(connection)) {
                        forget(*connection);
                        connection->shutDown();
                    }
                } catch (const std::exception& e) {
                    log.error("event=parking-failed error=\"%s\"", std::string(e.what()));
                    forget(*connection);
                }
            } else {
                forget(*connection);
            }
        }
        if (tlsCompensated) {
            break;  // the worker started in its place stays
        }
    }
    tlsLot = nullptr;
    std::lock_guard lock(mu_);
    running_.fetch_sub(1, std::memory_order_acq_rel);
    workerLeft_.notify_all();
}

void ParkingLot::expireDue() {
    std::uint64_t count = 0;
    (void)!::read(dueFd_.get(), &count, sizeof count);
    std::vector<std::unique_ptr<Parkable>> due;
    {
        std::lock_guard lock(mu_);
        due.swap(due_);
    }
    // Armed again before the notices go out, so that another worker takes what the sweeper
    // finds meanwhile.
    try {
        watch(epoll_.get(), EPOLL_CTL_MOD, dueFd_.get(), EPOLLIN | EPOLLONESHOT, kDueKey);
    } catch (const std::exception& e) {
        Poco::Logger::get("dfp.server")
            .error("event=parking-failed error=\"%s\"", std::string(e.what()));
    }
    for (auto& connection : due) {
        forget(*connection);
        connection->expire();
        connection.reset();
    }
}

void ParkingLot::closeAll() {
    std::unordered_map<std::uint64_t, Entry> all;
    std::vector<std::unique_ptr<Parkable>> due;
    {
        std::lock_guard lock(mu_);
        closing_ = true;
        all.swap(parked_);
        due.swap(due_);
    }
    for (auto& [key, entry] : all) {
        due.push_back(std::move(entry.connection));
    }
    for (auto& connection : due) {
        forget(*connection);
        connection->shutDown();
        connection.reset();
    }
}

void ParkingLot::sweep() {
    std::unique_lock lock(mu_);
    while (!stopped_) {
        const Clock::time_point now = Clock::now();
        if (now < sweepAt_) {
            if (sweepAt_ == Clock::time_point::max()) {
                sweepChanged_.wait(lock);
            } else {
                sweepChanged_.wait_until(lock, sweepAt_);
            }
            continue;
        }
        // The notices go out on a worker, which can make way for another if a peer's full
        // socket makes it wait; the sweeper itself never waits on a peer.
        const std::size_t before = due_.size();
        Clock::time_point next = Clock::time_point::max();
        for (auto it = parked_.begin(); it != parked_.end();) {
            if (it->second.deadline <= now) {
                due_.push_back(std::move(it->second.connection));
                it = parked_.erase(it);
            } else {
                next = std::min(next, it->second.deadline);
                ++it;
            }
        }
        sweepAt_ = next;
        if (due_.size() > before) {
            const std::uint64_t one = 1;
            (void)!::write(dueFd_.get(), &one, sizeof one);
        }
    }
}

void ParkingLot::stop() {
    {
        std::lock_guard lock(mu_);
        if (stopped_) {
            return;
        }
        stopped_ = true;
        sweepChanged_.notify_all();
    }
    const std::uint64_t one = 1;
    (void)!::write(stopFd_.get(), &one, sizeof one);
    closeAll();
    std::unique_lock lock(mu_);
    workerLeft_.wait(lock, [&] { return running_.load(std::memory_order_acquire) == 0; });
    lock.unlock();
    if (sweeper_.joinable()) {
        sweeper_.join();
    }
}

}  // namespace dfp::server
