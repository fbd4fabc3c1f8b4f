#pragma once

// FifoSlots: a counting semaphore that hands a freed slot to the thread that has waited
// longest, and wakes only that thread (internal to src/storage; the password hasher's bound).
//
// Why not std::counting_semaphore: libstdc++ 12's release() wakes every waiting thread (a
// FIXME in bits/semaphore_base.h), and the one that then wins the count is whichever the
// scheduler runs first. When 32 clients registered at once, each hash of 29 µs woke the
// other 31 threads, and the unluckiest PASS waited 5.7 ms for its slot
// (docs/performance-history.md, "Changes since 01:10").
//
// Thread-safety: every member may be called from any number of threads. release() must be
// called once for each acquire() that returned, by any thread.

#include <condition_variable>
#include <cstddef>
#include <list>
#include <mutex>

namespace dfp::storage {

class FifoSlots {
public:
    explicit FifoSlots(std::size_t slots) : free_(slots) {}
    FifoSlots(const FifoSlots&) = delete;
    FifoSlots& operator=(const FifoSlots&) = delete;

    // Takes a slot, waiting behind every thread that asked earlier if none is free.
    void acquire();
    // Gives the slot to the longest waiter, or back to the pool when nobody waits.
    void release();

    // How many threads wait for a slot now (for tests and diagnostics).
    std::size_t waiting() const;

    // Holds one slot for a scope.
    class Held {
    public:
        explicit Held(FifoSlots& slots) : slots_(slots) { slots_.acquire(); }
        ~Held() { slots_.release(); }
        Held(const Held&) = delete;
        Held& operator=(const Held&) = delete;

    private:
        FifoSlots& slots_;
    };

private:
    struct Waiter {
        std::condition_variable wake;
        bool granted = false;  // set by release(); the waiter then removes its own entry
    };

    mutable std::mutex mu_;
    std::size_t free_;  // guarded by mu_; zero whenever a waiter is not yet granted
    // Guarded by mu_; oldest first. Granted entries, not yet removed by their waiters, come
    // before every waiting one, since slots are granted in order.
    std::list<Waiter> queue_;
};

}  // namespace dfp::storage
