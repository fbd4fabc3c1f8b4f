// ParkingLot (src/server/parking_lot.h): connections wait in one epoll set, and the lot's
// workers serve each when its bytes come; deadlines, shutdown and stop() end them; a worker
// that compensates before it blocks leaves the others served. Over real socket pairs.

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <Poco/ThreadPool.h>

#include "server/parking_lot.h"

using dfp::server::Parkable;
using dfp::server::ParkingLot;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// What the connections were asked to do, in order, shared with the test thread.
class Journal {
public:
    void record(std::string entry) {
        std::lock_guard lock(mu_);
        entries_.push_back(std::move(entry));
        changed_.notify_all();
    }
    // Waits until entry has been recorded; false after 10 s.
    bool waitFor(const std::string& entry) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, 10s, [&] { return containsLocked(entry); });
    }
    bool contains(const std::string& entry) {
        std::lock_guard lock(mu_);
        return containsLocked(entry);
    }

    // A gate a connection's resume() can wait at until the test opens it.
    void waitForGate() {
        std::unique_lock lock(mu_);
        changed_.wait(lock, [&] { return gateOpen_; });
    }
    void openGate() {
        std::lock_guard lock(mu_);
        gateOpen_ = true;
        changed_.notify_all();
    }

private:
    bool containsLocked(const std::string& entry) const {
        for (const std::string& e : entries_) {
            if (e == entry) {
                return true;
            }
        }
        return false;
    }

    std::mutex mu_;
    std::condition_variable changed_;
    std::vector<std::string> entries_;
    bool gateOpen_ = false;
};

// One end of a socket pair; the test writes to the other. resume() records "NAME:BYTES" for
// what it reads; "block" makes it compensate and wait at the journal's gate; "end" ends it.
class Probe : public Parkable {
public:
    Probe(std::string name, Journal& journal, Clock::time_point deadline = Clock::time_point::max(),
          bool blockInExpire = false)
        : name_(std::move(name)),
          journal_(journal),
          deadline_(deadline),
          blockInExpire_(blockInExpire) {
        int fds[2];
        BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
        fd_ = fds[0];
        peer_ = fds[1];
    }
    ~Probe() override {
        ::close(fd_);
        ::close(peer_);
        journal_.record(name_ + " destroyed");
    }
    Probe(const Probe&) = delete;
    Probe& operator=(const Probe&) = delete;

    int peer() const { return peer_; }

    int socketFd() const override { return fd_; }
    int wakeFd() const override { return -1; }
    Clock::time_point deadline() const override { return deadline_; }
    bool resume() override {
        char buffer[64];
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n <= 0) {
            return true;  // a stale wake-up: wait again
        }
        const std::string got(buffer, static_cast<std::size_t>(n));
        if (got == "block") {
            ParkingLot::compensate();
            journal_.record(name_ + " blocked");
            journal_.waitForGate();
        }
        journal_.record(name_ + ":" + got);
        return got != "end";
    }
    void expire() override {
        if (blockInExpire_) {
            journal_.record(name_ + " expiring");
            journal_.waitForGate();
        }
        journal_.record(name_ + " expired");
    }
    void shutDown() override { journal_.record(name_ + " shut down"); }

private:
    std::string name_;
    Journal& journal_;
    Clock::time_point deadline_;
    bool blockInExpire_;
    int fd_ = -1;
    int peer_ = -1;
};

void send(int fd, const std::string& bytes) {
    BOOST_REQUIRE(::send(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
}

// A pipe standing in for the registry's shutdown descriptor.
struct ShutdownPipe {
    ShutdownPipe() { BOOST_REQUIRE(::pipe(fds) == 0); }
    ~ShutdownPipe() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    void signal() { BOOST_REQUIRE(::write(fds[1], "x", 1) == 1); }
    int fds[2] = {-1, -1};
};

struct LotFixture {
    Journal journal;
    ShutdownPipe shutdown;
    Poco::ThreadPool pool{1, 16};

    // Parks a probe and returns its peer's descriptor (the lot owns the probe).
    int park(ParkingLot& lot, const std::string& name,
             Clock::time_point deadline = Clock::time_point::max(), bool blockInExpire = false) {
        auto probe = std::make_unique<Probe>(name, journal, deadline, blockInExpire);
        const int peer = probe->peer();
        std::unique_ptr<Parkable> parkable = std::move(probe);
        BOOST_REQUIRE(lot.park(parkable));
        BOOST_REQUIRE(parkable == nullptr);
        return peer;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(parking_lot, LotFixture)

BOOST_AUTO_TEST_CASE(serves_a_parked_connection_each_time_its_bytes_come) {
    ParkingLot lot(pool, 2, shutdown.fds[0]);
    const int peer = park(lot, "a");
    send(peer, "one");
    BOOST_TEST(journal.waitFor("a:one"));
    send(peer, "two");  // served only if it was parked again
    BOOST_TEST(journal.waitFor("a:two"));
    send(peer, "end");
    BOOST_TEST(journal.waitFor("a destroyed"));
    BOOST_TEST(!journal.contains("a expired"));
    BOOST_TEST(!journal.contains("a shut down"));
}

BOOST_AUTO_TEST_CASE(ends_a_connection_whose_deadline_passes_while_it_waits) {
    ParkingLot lot(pool, 2, shutdown.fds[0]);
    park(lot, "later");
    park(lot, "soon", Clock::now() + 50ms);
    BOOST_TEST(journal.waitFor("soon expired"));
    BOOST_TEST(journal.waitFor("soon destroyed"));
    BOOST_TEST(lot.parked() == 1u);  // the one without a deadline stays
    BOOST_TEST(!journal.contains("later expired"));
}

BOOST_AUTO_TEST_CASE(a_connection_slow_to_end_does_not_hold_up_the_next_deadline) {
    ParkingLot lot(pool, 2, shutdown.fds[0]);
    park(lot, "stuck", Clock::now() + 20ms, /*blockInExpire=*/true);
    BOOST_TEST_REQUIRE(journal.waitFor("stuck expiring"));
    park(lot, "next", Clock::now() + 20ms);
    BOOST_TEST(journal.waitFor("next expired"));
    BOOST_TEST(!journal.contains("stuck expired"));  // still held at the gate
    journal.openGate();
    BOOST_TEST(journal.waitFor("stuck expired"));
}

BOOST_AUTO_TEST_CASE(tells_every_parked_connection_of_a_shutdown_and_parks_no_more) {
    ParkingLot lot(pool, 2, shutdown.fds[0]);
    for (const char* name : {"a", "b", "c"}) {
        park(lot, name);
    }
    shutdown.signal();
    for (const char* name : {"a", "b", "c"}) {
        BOOST_TEST(journal.waitFor(std::string(name) + " shut down"));
    }
    // The workers have left once every connection was shut down; a connection offered now
    // stays with its owner.
    lot.stop();
    std::unique_ptr<Parkable> late = std::make_unique<Probe>("late", journal);
    BOOST_TEST(!lot.park(late));
    BOOST_TEST(late != nullptr);
    BOOST_TEST(lot.workers() == 0u);
}

BOOST_AUTO_TEST_CASE(stop_ends_the_parked_connections) {
    ParkingLot lot(pool, 2, shutdown.fds[0]);
    park(lot, "a");
    park(lot, "b");
    lot.stop();
    BOOST_TEST(journal.contains("a shut down"));
    BOOST_TEST(journal.contains("b shut down"));
    BOOST_TEST(lot.parked() == 0u);
    BOOST_TEST(lot.workers() == 0u);
}

BOOST_AUTO_TEST_CASE(a_worker_that_compensates_before_it_blocks_leaves_the_others_served) {
    ParkingLot lot(pool, 1, shutdown.fds[0]);  // one worker: without a replacement, none
    const int slow = park(lot, "slow");
    const int quick = park(lot, "quick");
    send(slow, "block");
    BOOST_TEST_REQUIRE(journal.waitFor("slow blocked"));
    send(quick, "ping");
    BOOST_TEST(journal.waitFor("quick:ping"));
    BOOST_TEST(!journal.contains("slow:block"));  // still held at the gate
    journal.openGate();
    BOOST_TEST(journal.waitFor("slow:block"));
    send(slow, "again");  // parked again after its long turn
    BOOST_TEST(journal.waitFor("slow:again"));
    lot.stop();
    BOOST_TEST(lot.workers() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// The pool at its capacity: every thread serves a session and none is left for the lot.
BOOST_AUTO_TEST_SUITE(parking_lot_without_spare_threads)

BOOST_AUTO_TEST_CASE(refuses_to_start_without_a_thread_for_each_worker) {
    Journal journal;
    ShutdownPipe shutdown;
    Poco::ThreadPool pool{1, 1};
    BOOST_CHECK_THROW(ParkingLot(pool, 2, shutdown.fds[0]), std::runtime_error);
    // The worker that did start has left again, so its thread goes back to the pool.
    pool.joinAll();
    ParkingLot lot(pool, 1, shutdown.fds[0]);
    BOOST_TEST(lot.workers() == 1u);
}

BOOST_AUTO_TEST_CASE(a_worker_that_cannot_be_replaced_waits_and_then_goes_on_serving) {
    Journal journal;
    ShutdownPipe shutdown;
    Poco::ThreadPool pool{1, 1};
    ParkingLot lot(pool, 1, shutdown.fds[0]);
    auto slowProbe = std::make_unique<Probe>("slow", journal);
    auto quickProbe = std::make_unique<Probe>("quick", journal);
    const int slow = slowProbe->peer();
    const int quick = quickProbe->peer();
    std::unique_ptr<Parkable> parkable = std::move(slowProbe);
    BOOST_REQUIRE(lot.park(parkable));
    parkable = std::move(quickProbe);
    BOOST_REQUIRE(lot.park(parkable));
    send(slow, "block");
    BOOST_TEST_REQUIRE(journal.waitFor("slow blocked"));
    send(quick, "ping");
    journal.openGate();
    BOOST_TEST(journal.waitFor("slow:block"));
    BOOST_TEST(journal.waitFor("quick:ping"));
    BOOST_TEST(lot.workers() == 1u);  // the one worker stayed, and no phantom was counted
    send(slow, "again");
    BOOST_TEST(journal.waitFor("slow:again"));
}

BOOST_AUTO_TEST_SUITE_END()
