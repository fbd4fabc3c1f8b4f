// FifoSlots: a freed slot goes to the thread that has waited longest, and the bound holds.

#include <atomic>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "storage/fifo_slots.h"

using dfp::storage::FifoSlots;

namespace {

// Returns once `count` threads wait in slots: the queue's order is then the order they came.
void awaitWaiting(const FifoSlots& slots, std::size_t count) {
    while (slots.waiting() < count) {
        std::this_thread::yield();
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fifo_slots)

BOOST_AUTO_TEST_CASE(free_slots_are_taken_without_waiting) {
    FifoSlots slots(2);
    slots.acquire();
    slots.acquire();
    BOOST_TEST(slots.waiting() == 0u);
    slots.release();
    slots.acquire();
    BOOST_TEST(slots.waiting() == 0u);
    slots.release();
    slots.release();
}

BOOST_AUTO_TEST_CASE(a_freed_slot_goes_to_the_longest_waiter) {
    constexpr std::size_t kWaiters = 8;
    FifoSlots slots(1);
    slots.acquire();

    std::mutex orderMu;
    std::vector<std::size_t> order;
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < kWaiters; ++i) {
        threads.emplace_back([&, i] {
            const FifoSlots::Held held(slots);
            const std::lock_guard lock(orderMu);
            order.push_back(i);
        });
        awaitWaiting(slots, i + 1);
    }
    slots.release();
    for (std::thread& thread : threads) {
        thread.join();
    }

    std::vector<std::size_t> arrival(kWaiters);
    for (std::size_t i = 0; i < kWaiters; ++i) {
        arrival[i] = i;
    }
    BOOST_TEST(order == arrival, boost::test_tools::per_element());
    BOOST_TEST(slots.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(no_more_than_the_bound_hold_slots_at_once) {
    constexpr std::size_t kSlots = 3;
    constexpr int kThreads = 12;
    constexpr int kRounds = 200;
    FifoSlots slots(kSlots);
    std::atomic<int> holding{0};
    std::atomic<int> most{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int round = 0; round < kRounds; ++round) {
                const FifoSlots::Held held(slots);
                const int now = holding.fetch_add(1) + 1;
                int seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                holding.fetch_sub(1);
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    BOOST_TEST(most.load() <= static_cast<int>(kSlots));
    BOOST_TEST(most.load() >= 1);
    BOOST_TEST(slots.waiting() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
