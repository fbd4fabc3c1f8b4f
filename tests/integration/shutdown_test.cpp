// SHT and termination signals: 250 to the requester, 600 to every other session, every
// connection closed, exit status 0 (protocol.md §5; the server issue's Behaviour).

#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

// The issue asks for idle sessions to hear of a shutdown within a second and for the whole
// server to be gone within a few; these deadlines leave room for a loaded test machine.
constexpr auto kNoticeDeadline = 5s;
constexpr auto kExitDeadline = 10s;

std::string shtLine() {
    return "SHT " + std::string(kAdminPassword);
}

void expectNoticeThenClose(LineClient& client, int code) {
    client.setTimeout(kNoticeDeadline);
    const Response notice = client.readStatus();
    BOOST_TEST(notice.code == code, client.name() << ": " << notice);
    client.expectClosed();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shutdown)

BOOST_FIXTURE_TEST_CASE(refuses_sht_with_a_wrong_password_with_403_and_keeps_serving,
                        StartedServer) {
    LineClient before = connect("before-login");
    BOOST_TEST(before.request("SHT wrong").code == 403);
    // The password is the rest of the line, exactly (protocol.md §1).
    BOOST_TEST(before.request(shtLine() + " ").code == 403);
    BOOST_TEST(before.request("SHT open sesame twice").code == 403);
    LineClient after = loggedIn("yoda");
    BOOST_TEST(after.request("SHT " + std::string(kAdminPassword).substr(1)).code == 403);
    BOOST_TEST(after.request("SHT").code == 400);
    BOOST_TEST(server().running());
    BOOST_TEST(before.request("PING").code == 200);
    BOOST_TEST(after.request("PING").code == 200);
    BOOST_TEST(!server().waitExit(0ms).has_value());
}

BOOST_FIXTURE_TEST_CASE(shuts_down_on_sht_and_notifies_every_other_session, StartedServer) {
    LineClient idleUser = loggedIn("yoda");
    LineClient notLoggedIn = connect("not-logged-in");
    LineClient admin = loggedIn("admin");
    const Response accepted = admin.request(shtLine());
    BOOST_TEST_REQUIRE(accepted.code == 250, accepted);
    admin.expectClosed();
    expectNoticeThenClose(idleUser, 600);
    expectNoticeThenClose(notLoggedIn, 600);
    const ExitStatus status = server().expectExit(kExitDeadline);
    BOOST_TEST(status.isCleanZero(), status.describe());
    BOOST_CHECK_THROW(LineClient{port()}, ClientError);  // nobody listens any more
}

BOOST_FIXTURE_TEST_CASE(accepts_sht_before_login, StartedServer) {
    LineClient idleUser = loggedIn("yoda");
    LineClient admin = connect("admin");
    const Response accepted = admin.request(shtLine());
    BOOST_TEST_REQUIRE(accepted.code == 250, accepted);
    admin.expectClosed();
    expectNoticeThenClose(idleUser, 600);
    BOOST_TEST(server().expectExit(kExitDeadline).isCleanZero());
}

BOOST_FIXTURE_TEST_CASE(notifies_a_busy_session_at_a_response_boundary, StartedServer) {
    LineClient creator = loggedIn("yoda");
    creator.expect("CRT jedi", 201);
    LineClient busy = loggedIn("luke");

    std::mutex mu;
    std::condition_variable changed;
    int posted = 0;                     // guarded by mu
    bool finished = false;              // guarded by mu
    std::optional<Response> interrupt;  // guarded by mu: the first answer that was not a 201
    std::string error;                  // guarded by mu

    // Posts one message after another, each answered before the next, until something other
    // than 201 arrives; it must be the 600, and then the server must close.
    std::thread poster([&] {
        try {
            const auto giveUp = std::chrono::steady_clock::now() + 30s;
            for (int n = 1;; ++n) {
                const Response answer = busy.request("MSG jedi busy " + std::to_string(n));
                std::lock_guard lock(mu);
                if (answer.code != 201) {
                    interrupt = answer;
                    break;
                }
                ++posted;
                changed.notify_all();
                if (std::chrono::steady_clock::now() > giveUp) {
                    error = "still posting 30 s after the shutdown began";
                    break;
                }
            }
            busy.expectClosed();
        } catch (const std::exception& e) {
            std::lock_guard lock(mu);
            error = e.what();
        }
        std::lock_guard lock(mu);
        finished = true;
        changed.notify_all();
    });

    bool started;
    {
        std::unique_lock lock(mu);
        started = changed.wait_for(lock, 10s, [&] { return posted >= 20 || finished; });
    }
    std::optional<Response> accepted;
    if (started) {
        accepted = creator.request(shtLine());
    }
    // The poster ends by itself: every read it makes has a deadline, and it gives up posting
    // after 30 s.
    poster.join();

    BOOST_TEST_REQUIRE(started, "the busy session did not get 20 messages posted");
    BOOST_TEST_REQUIRE(accepted.has_value());
    BOOST_TEST(accepted->code == 250, *accepted);
    BOOST_TEST(error.empty(), error);
    BOOST_TEST_REQUIRE(interrupt.has_value());
    BOOST_TEST(interrupt->code == 600, *interrupt);
    BOOST_TEST(server().expectExit(kExitDeadline).isCleanZero());
}

BOOST_FIXTURE_TEST_CASE(exits_zero_on_sigterm_and_closes_every_session, StartedServer) {
    LineClient idleUser = loggedIn("yoda");
    LineClient notLoggedIn = connect("not-logged-in");
    server().terminate(SIGTERM);
    // protocol.md §5 describes the notice for SHT; for a signal the connections must at least
    // close, and a 600 before that is welcome.
    idleUser.expectClosed({600}, kNoticeDeadline);
    notLoggedIn.expectClosed({600}, kNoticeDeadline);
    const ExitStatus status = server().expectExit(kExitDeadline);
    BOOST_TEST(status.isCleanZero(), status.describe());
}

BOOST_FIXTURE_TEST_CASE(exits_zero_on_sigint, StartedServer) {
    LineClient idleUser = loggedIn("yoda");
    server().terminate(SIGINT);
    idleUser.expectClosed({600}, kNoticeDeadline);
    const ExitStatus status = server().expectExit(kExitDeadline);
    BOOST_TEST(status.isCleanZero(), status.describe());
}

BOOST_FIXTURE_TEST_CASE(abandons_an_upload_in_flight_and_stores_nothing_of_it, StartedServer) {
    LineClient creator = loggedIn("yoda");
    creator.expect("CRT jedi", 201);
    LineClient uploader = loggedIn("luke");
    uploader.expect("UPD jedi half.bin 1000", 340);
    uploader.sendRaw(std::string(500, 'h'));
    BOOST_TEST_REQUIRE(creator.request(shtLine()).code == 250);
    creator.expectClosed();
    // Mid-transfer is no response boundary: the upload is dropped, with or without a 600.
    uploader.expectClosed({600}, kExitDeadline);
    BOOST_TEST_REQUIRE(server().expectExit(kExitDeadline).isCleanZero());

    start();
    LineClient reader = loggedIn("yoda");
    BOOST_TEST(reader.request("DWN jedi half.bin").code == 404);
    BOOST_TEST(reader.request("RDT jedi").code == 210);
    BOOST_TEST(reader.readBody().empty());
}

BOOST_AUTO_TEST_SUITE_END()
