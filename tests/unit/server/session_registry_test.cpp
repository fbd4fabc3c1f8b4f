// SessionRegistry: the session limit, the pre-login limit that drops the oldest waiter, one
// live login per user, and the shutdown signal.

#include <boost/test/unit_test.hpp>

#include <poll.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "server/session_registry.h"

using dfp::server::SessionRegistry;
using dfp::server::SessionSlot;

namespace {

// Records which slots were cut off.
struct Aborts {
    std::vector<int> cut;
    std::function<void()> forSlot(int tag) {
        return [this, tag] { cut.push_back(tag); };
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(session_registry)

BOOST_AUTO_TEST_CASE(refuses_a_slot_beyond_the_session_limit_and_frees_it_on_leave) {
    SessionRegistry registry(2);
    Aborts aborts;
    auto first = registry.enter(aborts.forSlot(1));
    {
        auto second = registry.enter(aborts.forSlot(2));
        BOOST_TEST_REQUIRE(second.has_value());
        registry.markLoggedIn(second->id());
        BOOST_TEST(!registry.enter(aborts.forSlot(3)).has_value());
        BOOST_TEST(registry.openSessions() == 2u);
    }
    BOOST_TEST(registry.openSessions() == 1u);
    BOOST_TEST(registry.enter(aborts.forSlot(4)).has_value());
    BOOST_TEST(aborts.cut.empty());
}

BOOST_AUTO_TEST_CASE(drops_the_oldest_connection_not_logged_in_to_make_room_for_a_new_one) {
    SessionRegistry registry(10, 2);
    Aborts aborts;
    auto loggedIn = registry.enter(aborts.forSlot(0));
    registry.markLoggedIn(loggedIn->id());
    auto oldest = registry.enter(aborts.forSlot(1));
    auto middle = registry.enter(aborts.forSlot(2));
    BOOST_TEST(aborts.cut.empty());
    auto newest = registry.enter(aborts.forSlot(3));
    BOOST_TEST_REQUIRE(newest.has_value());
    BOOST_TEST(aborts.cut == std::vector<int>{1});  // never the logged-in one
    registry.markLoggedIn(middle->id());
    auto another = registry.enter(aborts.forSlot(4));
    BOOST_TEST(aborts.cut == std::vector<int>{1});  // middle logged in: room again
}

BOOST_AUTO_TEST_CASE(allows_one_live_login_per_user_in_any_case) {
    SessionRegistry registry(10);
    auto ticket = registry.login("Yoda");
    BOOST_TEST(ticket != nullptr);
    BOOST_TEST(registry.login("yoda") == nullptr);
    ticket.reset();
    BOOST_TEST(registry.login("YODA") != nullptr);
}

BOOST_AUTO_TEST_CASE(shutdown_makes_the_wake_descriptor_readable_and_runs_the_callback_once) {
    SessionRegistry registry(10);
    int calls = 0;
    registry.onShutdownRequested([&] { ++calls; });
    pollfd before{registry.shutdownFd(), POLLIN, 0};
    BOOST_TEST(::poll(&before, 1, 0) == 0);
    registry.requestShutdown();
    registry.requestShutdown();
    pollfd after{registry.shutdownFd(), POLLIN, 0};
    BOOST_TEST(::poll(&after, 1, 0) == 1);
    BOOST_TEST(registry.shuttingDown());
    BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(abort_all_cuts_every_open_session) {
    SessionRegistry registry(10);
    Aborts aborts;
    auto a = registry.enter(aborts.forSlot(1));
    auto b = registry.enter(aborts.forSlot(2));
    registry.abortAll();
    std::sort(aborts.cut.begin(), aborts.cut.end());
    BOOST_TEST(aborts.cut == (std::vector<int>{1, 2}));
}

BOOST_AUTO_TEST_SUITE_END()
