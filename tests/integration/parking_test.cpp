// Sessions waiting for a request hold no thread of their own (server/parking_lot.h), and a
// worker held up by one session does not hold up the others.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

// The threads of a process now, from /proc.
std::size_t threadsOf(pid_t pid) {
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(tasks)) {
        ++count;
    }
    return count;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parking)

BOOST_FIXTURE_TEST_CASE(idle_logged_in_sessions_hold_no_thread_each, StartedServer) {
    LineClient first = loggedIn("user0");
    first.expect("PING", 200);
    const std::size_t before = threadsOf(server().pid());

    constexpr std::size_t kSessions = 200;
    std::vector<LineClient> clients;
    for (std::size_t i = 1; i <= kSessions; ++i) {
        clients.push_back(loggedIn("user" + std::to_string(i)));
        clients.back().expect("PING", 200);
    }
    const std::size_t after = threadsOf(server().pid());
    // A thread per session would be 200 more; the lot adds none for a waiting session (the
    // pool may keep a few threads that served logins).
    BOOST_TEST(after < before + kSessions / 4, "threads before " << before << ", after " << after);

    // Every one of them is still served, in any order.
    for (std::size_t i = 0; i < kSessions; i += 7) {
        clients[kSessions - 1 - i].expect("PING", 200);
    }
    first.expect("PING", 200);
}

BOOST_FIXTURE_TEST_CASE(sessions_that_stop_reading_do_not_hold_up_the_others, StartedServer) {
    // A thread whose RDT reply is far larger than what the sockets buffer between server and
    // client: a reader that does not read leaves the server blocked in send().
    LineClient author = loggedIn("yoda");
    author.expect("CRT big", 201);
    const std::string text(3900, 'x');
    constexpr int kMessages = 4000;  // about 16 MB of reply
    for (int i = 0; i < kMessages; ++i) {
        author.sendLine("MSG big " + text);
    }
    for (int i = 0; i < kMessages; ++i) {
        BOOST_TEST_REQUIRE(author.readStatus().code == 201);
    }

    // More stalled readers than the lot has workers on any machine this runs on.
    std::vector<LineClient> stalled;
    for (int i = 0; i < 8; ++i) {
        stalled.push_back(loggedIn("stalled" + std::to_string(i)));
        stalled.back().sendLine("RDT big");
    }
    for (int i = 0; i < 3; ++i) {
        LineClient other = loggedIn("other" + std::to_string(i));
        other.expect("PING", 200);
        other.expect("CRT small" + std::to_string(i), 201);
        other.expect("MSG small" + std::to_string(i) + " still served", 201);
    }
    author.expect("PING", 200);
    // The stalled readers still get their whole reply once they read it.
    LineClient& reader = stalled.front();
    BOOST_TEST(reader.readStatus().code == 210);
    BOOST_TEST(reader.readBody().size() == static_cast<std::size_t>(kMessages));
}

BOOST_FIXTURE_TEST_CASE(one_worker_serves_what_came_with_the_connection_in_order, ServerFixture) {
    start({"--workers=1"});
    BOOST_TEST(server().log().find("workers=1") != std::string::npos);
    // Everything sent before the greeting was read. The acceptor's thread only greets, so
    // these bytes are already waiting when the session is parked: the lot must report them
    // at once, or nothing would ever answer them.
    LineClient early(port(), LineClient::kDefaultTimeout, "early");
    early.sendRaw("USER early\nPASS " + std::string(kPassword) +
                  "\nCRT t\nMSG t one\nMSG t two\nRDT t\nXIT\n");
    BOOST_TEST(early.readGreeting().code == 200);
    BOOST_TEST(early.readStatus().code == 332);
    BOOST_TEST(early.readStatus().code == 231);
    BOOST_TEST(early.readStatus().code == 201);
    BOOST_TEST(early.readStatus().line == "201 1 message posted");
    BOOST_TEST(early.readStatus().line == "201 2 message posted");
    BOOST_TEST(early.readStatus().code == 210);
    const Lines body = early.readBody();
    BOOST_TEST_REQUIRE(body.size() == 2u);
    BOOST_TEST(body[0] == "1 early: one");
    BOOST_TEST(body[1] == "2 early: two");
    BOOST_TEST(early.readStatus().code == 221);
}

BOOST_FIXTURE_TEST_CASE(one_worker_serves_posting_sessions_and_a_reader_alike, ServerFixture) {
    start({"--workers=1"});
    // Each poster sends all its MSGs at once; the writer thread commits and answers them
    // while the one worker goes on serving the others.
    constexpr int kPosters = 4;
    constexpr int kMessages = 50;
    std::vector<LineClient> posters;
    for (int p = 0; p < kPosters; ++p) {
        posters.push_back(loggedIn("poster" + std::to_string(p)));
        posters.back().expect("CRT thread" + std::to_string(p), 201);
    }
    LineClient reader = loggedIn("reader");
    for (int p = 0; p < kPosters; ++p) {
        std::string burst;
        for (int m = 1; m <= kMessages; ++m) {
            burst += "MSG thread" + std::to_string(p) + " m" + std::to_string(m) + "\n";
        }
        posters[p].sendRaw(burst);
    }
    reader.expect("LST", 215);
    reader.readBody();
    for (int p = 0; p < kPosters; ++p) {
        for (int m = 1; m <= kMessages; ++m) {
            BOOST_TEST_REQUIRE(posters[p].readStatus().line ==
                               "201 " + std::to_string(m) + " message posted");
        }
    }
    for (int p = 0; p < kPosters; ++p) {
        reader.expect("RDT thread" + std::to_string(p), 210);
        const Lines body = reader.readBody();
        BOOST_TEST_REQUIRE(body.size() == static_cast<std::size_t>(kMessages));
        BOOST_TEST(body.back() == std::to_string(kMessages) + " poster" + std::to_string(p) +
                                      ": m" + std::to_string(kMessages));
    }
}

BOOST_AUTO_TEST_SUITE_END()
