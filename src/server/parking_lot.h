#pragma once

// ParkingLot: where plain TCP sessions wait for their next request without a thread of their
// own (docs/operations.md, "Threads"; measured in docs/performance.md).
//
// A session that has answered everything it was sent parks here: its socket (and, while a
// MSG reply is with the writer thread, that reply's eventfd) goes into one epoll set, and the
// thread that served it goes back to the pool. A few workers, one per CPU, take ready
// sessions off the set in the order their bytes came and serve what arrived, then park them
// again. So under load a handful of threads serve every session in arrival order, instead of
// a thread per session waiting for the scheduler to pick it among dozens, and an idle session
// costs no thread at all.
//
// A worker about to block for long (a password hash, an upload, a download, a peer that stops
// reading) calls compensate() first: another worker starts in its place, and this one leaves
// once its session is done with. A sweeper thread takes out the sessions whose deadline
// passes while parked (the idle and login timeouts), and a worker ends them, so that no peer
// can hold up the sweeper. When the server shuts down (the registry's shutdown
// descriptor becomes readable) every parked session is told so and ended.
//
// Thread-safety: park(), compensate() and stop() may be called from any thread. A Parkable is
// owned by exactly one thread at a time: whoever parked it until it is parked, then the lot
// (the sweeper only moves it to the lot's list of the expired), then the one worker that
// takes it out.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <Poco/Runnable.h>
#include <Poco/ThreadPool.h>

#include "storage/posix_file.h"

namespace dfp::server {

class ParkingLot;

// A connection that can wait for input without a thread.
class Parkable {
public:
    virtual ~Parkable() = default;

    virtual int socketFd() const = 0;
    // Also wait on this descriptor (a reply handed back by another thread); -1 for none.
    virtual int wakeFd() const = 0;
    // When the connection must be ended if nothing arrives before.
    virtual std::chrono::steady_clock::time_point deadline() const = 0;
    // Bytes arrived, the wake descriptor fired, or neither (a stale wake-up): serve what there
    // is without waiting for more. true: park it again; false: it has ended.
    virtual bool resume() = 0;
    // Ends the connection because its deadline passed while parked.
    virtual void expire() = 0;
    // Ends the connection because the server is shutting down.
    virtual void shutDown() = 0;

private:
    friend class ParkingLot;
    std::uint64_t key_ = 0;          // 0: never parked
    bool socketRegistered_ = false;  // in the epoll set, armed or not
    int wakeRegistered_ = -1;        // the wake descriptor in the epoll set, if any
};

class ParkingLot {
public:
    // workers: how many threads wait on the set (at least one). shutdownFd becomes readable
    // (and stays so) when the server begins to shut down. Workers run on pool.
    ParkingLot(Poco::ThreadPool& pool, unsigned workers, int shutdownFd);
    // stop()s.
    ~ParkingLot();
    ParkingLot(const ParkingLot&) = delete;
    ParkingLot& operator=(const ParkingLot&) = delete;

    // Takes the connection until input arrives for it. Once the lot is closing (shutdown),
    // it refuses: connection is left as it was and the caller ends it.
    bool park(std::unique_ptr<Parkable>& connection);

    // The calling thread is about to block for long. On a worker, another worker starts in
    // its place (once per turn); elsewhere nothing happens.
    static void compensate();

    // Ends every parked connection (shutDown()), and waits until the workers and the sweeper
    // have left. Parking is refused from then on.
    void stop();

    // Connections parked now, and workers running (for tests).
    std::size_t parked() const;
    unsigned workers() const { return running_.load(std::memory_order_acquire); }

private:
    class WorkerTask : public Poco::Runnable {
    public:
        explicit WorkerTask(ParkingLot& lot) : lot_(lot) {}
        void run() override;

    private:
        ParkingLot& lot_;
    };
    struct Entry {
        std::unique_ptr<Parkable> connection;
        std::chrono::steady_clock::time_point deadline;
    };

    void work();
    bool startWorker();
    void sweep();
    // The connection parked under key, taken out of the lot; null if it is not parked (a
    // stale event: another worker or the sweeper has it).
    std::unique_ptr<Parkable> claim(std::uint64_t key);
    // Removes it from the epoll set before it is destroyed or ended outside the lot.
    void forget(Parkable& connection);
    // Ends the connections the sweeper found past their deadline (on a worker).
    void expireDue();
    // Takes every parked connection out, refuses parking from now on, and shuts them down.
    void closeAll();

    Poco::ThreadPool& pool_;
    const unsigned target_;
    storage::UniqueFd epoll_;
    storage::UniqueFd stopFd_;  // an eventfd, written once by stop()
    storage::UniqueFd dueFd_;   // an eventfd, written when the sweeper adds to due_
    WorkerTask task_{*this};
    std::atomic<unsigned> running_{0};

    mutable std::mutex mu_;
    // Two conditions, so that a worker leaving (after every compensated wait) does not wake
    // the sweeper, and an earlier deadline does not wake stop().
    std::condition_variable sweepChanged_;  // an earlier deadline was parked, or stopped_
    std::condition_variable workerLeft_;    // running_ went down
    std::unordered_map<std::uint64_t, Entry> parked_;  // guarded by mu_
    std::vector<std::unique_ptr<Parkable>> due_;       // past their deadline; guarded by mu_
    std::uint64_t nextKey_ = 1;                        // guarded by mu_
    bool closing_ = false;                             // guarded by mu_
    bool stopped_ = false;                             // guarded by mu_
    std::chrono::steady_clock::time_point sweepAt_ =   // guarded by mu_
        std::chrono::steady_clock::time_point::max();
    std::thread sweeper_;
};

}  // namespace dfp::server
