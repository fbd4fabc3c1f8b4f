// LoginThrottle with explicit time points, so the window can pass without waiting.

#include <boost/test/unit_test.hpp>

#include "server/login_throttle.h"

using dfp::server::LoginThrottle;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(login_throttle)

BOOST_AUTO_TEST_CASE(locks_an_account_after_its_limit_from_any_address_until_the_window_ends) {
    LoginThrottle throttle({100, 3, 60s});
    const auto t0 = LoginThrottle::Clock::time_point{} + 1000s;
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(throttle.allowed("10.0.0." + std::to_string(i), "Leia", t0));
        throttle.recordFailure("10.0.0." + std::to_string(i), "Leia", t0);
    }
    BOOST_TEST(!throttle.allowed("10.9.9.9", "leia", t0 + 1s));  // any case, any address
    BOOST_TEST(throttle.allowed("10.9.9.9", "luke", t0 + 1s));   // other accounts go on
    BOOST_TEST(!throttle.allowed("10.9.9.9", "LEIA", t0 + 59s));
    BOOST_TEST(throttle.allowed("10.9.9.9", "leia", t0 + 60s));  // the window has passed
}

BOOST_AUTO_TEST_CASE(locks_an_address_after_its_limit_across_accounts) {
    LoginThrottle throttle({2, 100, 60s});
    const auto t0 = LoginThrottle::Clock::time_point{} + 1000s;
    throttle.recordFailure("192.0.2.1", "a", t0);
    throttle.recordFailure("192.0.2.1", "b", t0 + 1s);
    BOOST_TEST(!throttle.allowed("192.0.2.1", "c", t0 + 2s));
    BOOST_TEST(!throttle.allowed("192.0.2.1", "", t0 + 2s));  // SHT judges the address only
    BOOST_TEST(throttle.allowed("192.0.2.2", "c", t0 + 2s));
    BOOST_TEST(throttle.allowed("192.0.2.1", "c", t0 + 60s));
}

BOOST_AUTO_TEST_CASE(failures_below_the_limit_do_not_lock) {
    LoginThrottle throttle({3, 3, 60s});
    const auto t0 = LoginThrottle::Clock::time_point{} + 1000s;
    throttle.recordFailure("192.0.2.1", "a", t0);
    throttle.recordFailure("192.0.2.1", "a", t0);
    BOOST_TEST(throttle.allowed("192.0.2.1", "a", t0));
}

BOOST_AUTO_TEST_CASE(a_new_window_starts_counting_from_zero) {
    LoginThrottle throttle({100, 2, 60s});
    const auto t0 = LoginThrottle::Clock::time_point{} + 1000s;
    throttle.recordFailure("x", "a", t0);
    throttle.recordFailure("x", "a", t0 + 61s);  // the first window is over: this one is alone
    BOOST_TEST(throttle.allowed("x", "a", t0 + 62s));
    throttle.recordFailure("x", "a", t0 + 62s);
    BOOST_TEST(!throttle.allowed("x", "a", t0 + 62s));
}

BOOST_AUTO_TEST_SUITE_END()
