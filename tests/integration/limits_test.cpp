// Line length (414), the session limit (503), the idle timeout (601), and the listening port
// not being shared (protocol.md §1, §3, §5, §6, §7; the server issue's command line).

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

// "MSG jedi <text>" padded so that the line including its LF is exactly `total` bytes.
std::string messageLineOfTotalLength(std::size_t total) {
    const std::string prefix = "MSG jedi ";
    return prefix + std::string(total - prefix.size() - 1, 'x');
}

}  // namespace

BOOST_AUTO_TEST_SUITE(limits)

BOOST_FIXTURE_TEST_CASE(answers_a_line_of_8193_bytes_with_414_and_keeps_the_session,
                        StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    const std::string line = messageLineOfTotalLength(8193);
    BOOST_TEST_REQUIRE(line.size() + 1 == 8193u);
    const Response refused = client.request(line);
    BOOST_TEST(refused.code == 414, refused);
    BOOST_TEST(client.request("PING").code == 200);
    const Response listed = client.request("RDT jedi");
    BOOST_TEST(listed.code == 210);
    BOOST_TEST(client.readBody().empty());  // the rest of the long line was discarded
}

BOOST_FIXTURE_TEST_CASE(accepts_a_line_of_8192_bytes, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    // A line is accepted at 8192 bytes with its LF; this one's text is over 4000 bytes, so the
    // answer is the message limit's 413, not 414.
    const Response answer = client.request(messageLineOfTotalLength(8192));
    BOOST_TEST(answer.code == 413, answer);
    const std::string longPassword = "PASS " + std::string(8192 - 6, 'p');
    BOOST_TEST(client.request(longPassword).code == 400);  // after login, and over 128 bytes
    BOOST_TEST(client.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(answers_a_very_long_line_with_a_single_414_in_any_state, StartedServer) {
    LineClient client = connect();
    // Before login, with junk that would be requests if the server split it into lines.
    std::string junk;
    while (junk.size() < 200'000) {
        junk += "PING PING PING ";
    }
    client.sendRaw(junk + "\nPING\n");
    BOOST_TEST(client.readStatus().code == 414);
    BOOST_TEST(client.readStatus().code == 200);
    // And split over several writes.
    client.sendRaw(std::string(5000, 'a'));
    client.sendRaw(std::string(5000, 'b'));
    client.sendRaw("\n");
    BOOST_TEST(client.readStatus().code == 414);
    BOOST_TEST(client.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(applies_a_configured_max_line, ServerFixture) {
    start({"--max-line=100"});
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    BOOST_TEST(client.request(messageLineOfTotalLength(101)).code == 414);
    const Response posted = client.request(messageLineOfTotalLength(100));
    BOOST_TEST(posted.code == 201, posted);
    BOOST_TEST(posted.field(1) == "1", posted);
}

BOOST_FIXTURE_TEST_CASE(refuses_a_connection_beyond_max_sessions_with_503, ServerFixture) {
    start({"--max-sessions=2"});
    // §6: every connection counts, logged in or not.
    LineClient first = loggedIn("yoda");
    LineClient second = connect("second");
    LineClient third(port(), LineClient::kDefaultTimeout, "third");
    const Response busy = third.readStatus();
    BOOST_TEST(busy.code == 503, busy);
    third.expectClosed();
    BOOST_TEST(first.request("PING").code == 200);
    BOOST_TEST(second.request("PING").code == 200);

    BOOST_TEST(first.request("XIT").code == 221);
    first.expectClosed();
    // The server frees the slot as the session ends; until it has, 503 is still right.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    Response greeting;
    int attempts = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        LineClient next(port(), LineClient::kDefaultTimeout, "next");
        greeting = next.readStatus();
        ++attempts;
        if (greeting.code != 503) {
            BOOST_TEST(greeting.code == 200, greeting);
            BOOST_TEST(next.request("PING").code == 200);
            break;
        }
        next.expectClosed();
    }
    BOOST_TEST(greeting.code == 200, "after " << attempts << " attempts: " << greeting);
}

BOOST_FIXTURE_TEST_CASE(sends_601_and_closes_an_idle_connection, ServerFixture) {
    start({"--idle-timeout=1"});
    LineClient fresh = connect("fresh");
    LineClient user = loggedIn("yoda");
    for (LineClient* client : {&fresh, &user}) {
        client->setTimeout(5s);
        const Response notice = client->readStatus();
        BOOST_TEST(notice.code == 601, client->name() << ": " << notice);
        client->expectClosed();
    }
    // The user's session ended, so the name is free again.
    LineClient again = connect("again");
    again.login("yoda", kPassword);
}

BOOST_FIXTURE_TEST_CASE(refuses_to_share_its_port_with_a_second_server, StartedServer) {
    ServerOptions second = options();
    second.dataDir = tempPath() / "second-data";
    second.port = port();
    ServerProcess other(second);
    const ExitStatus status = other.expectExit();
    BOOST_TEST(!status.isCleanZero(), status.describe());
    BOOST_TEST(!other.waitForLog("event=listening", 0ms), other.log());
    // The first server still serves.
    LineClient client = connect();
    BOOST_TEST(client.request("PING").code == 200);
}

BOOST_AUTO_TEST_SUITE_END()
