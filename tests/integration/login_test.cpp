// USER/PASS, registration, one live session per user, and the 429 after five failures
// (protocol.md §3 "Login and registration", §6).

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

constexpr std::string_view kWrongPassword = "not the password";

// Creates the account and ends that session, so later logins meet an existing account.
void registerAccount(ServerFixture& fixture, std::string_view user,
                     std::string_view password = kPassword) {
    LineClient client = fixture.connect("registrar");
    BOOST_TEST_REQUIRE(client.request("USER " + std::string(user)).code == 332);
    BOOST_TEST_REQUIRE(client.request("PASS " + std::string(password)).code == 231);
    BOOST_TEST_REQUIRE(client.request("XIT").code == 221);
    client.expectClosed();
}

// USER then a wrong PASS, which must be answered `expected`.
void failOnce(LineClient& client, std::string_view user, int expected) {
    const Response asked = client.request("USER " + std::string(user));
    BOOST_TEST_REQUIRE(asked.code == 331, asked);
    const Response refused = client.request("PASS " + std::string(kWrongPassword));
    BOOST_TEST_REQUIRE(refused.code == expected, refused);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(login)

BOOST_FIXTURE_TEST_CASE(registers_an_unknown_name_with_332_then_231, StartedServer) {
    LineClient client = connect();
    const Response asked = client.request("USER yoda");
    BOOST_TEST(asked.code == 332, asked);
    const Response created = client.request("PASS wise old one");
    BOOST_TEST(created.code == 231, created);
    BOOST_TEST(created.field(1) == "yoda", created);  // `231 <username> account created...`
    BOOST_TEST(client.request("CRT jedi").code == 201);
}

BOOST_FIXTURE_TEST_CASE(logs_an_existing_account_in_with_331_then_230, StartedServer) {
    registerAccount(*this, "yoda");
    LineClient client = connect();
    const Response asked = client.request("USER yoda");
    BOOST_TEST(asked.code == 331, asked);
    const Response done = client.request("PASS " + std::string(kPassword));
    BOOST_TEST(done.code == 230, done);
    BOOST_TEST(done.field(1) == "yoda", done);  // `230 <username> logged in`
}

BOOST_FIXTURE_TEST_CASE(matches_usernames_without_regard_to_case_and_shows_the_first_spelling,
                        StartedServer) {
    registerAccount(*this, "Yoda");
    LineClient client = connect();
    BOOST_TEST(client.request("USER yODA").code == 331);
    const Response done = client.request("PASS " + std::string(kPassword));
    BOOST_TEST(done.code == 230, done);
    BOOST_TEST(done.field(1) == "Yoda", done);
    client.expect("CRT jedi", 201);
    client.expect("MSG jedi hello", 201);
    client.expect("RDT jedi", 210);
    BOOST_TEST(client.readBody() == Lines{"1 Yoda: hello"});
}

BOOST_FIXTURE_TEST_CASE(keeps_inner_and_trailing_spaces_of_the_password, StartedServer) {
    registerAccount(*this, "yoda", "wise  old one  ");
    LineClient client = connect();
    failOnce(client, "yoda", 401);  // kWrongPassword
    BOOST_TEST(client.request("USER yoda").code == 331);
    BOOST_TEST(client.request("PASS wise  old one").code == 401);  // trailing spaces missing
    BOOST_TEST(client.request("USER yoda").code == 331);
    BOOST_TEST(client.request("PASS wise old one  ").code == 401);  // inner space missing
    BOOST_TEST(client.request("USER yoda").code == 331);
    BOOST_TEST(client.request("PASS    wise  old one  ").code == 230);  // leading ones split
}

BOOST_FIXTURE_TEST_CASE(answers_a_wrong_password_with_401_and_cancels_the_pending_user,
                        StartedServer) {
    registerAccount(*this, "yoda");
    LineClient client = connect();
    failOnce(client, "yoda", 401);
    // The 401 cancelled USER: PASS now has no USER before it.
    BOOST_TEST(client.request("PASS " + std::string(kPassword)).code == 400);
    BOOST_TEST(client.request("USER yoda").code == 331);
    BOOST_TEST(client.request("PASS " + std::string(kPassword)).code == 230);
}

BOOST_FIXTURE_TEST_CASE(answers_pass_without_user_with_400, StartedServer) {
    registerAccount(*this, "yoda");
    LineClient client = connect();
    BOOST_TEST(client.request("PASS " + std::string(kPassword)).code == 400);
    BOOST_TEST(client.request("PASS anything").code == 400);
    client.login("yoda", kPassword);
}

BOOST_FIXTURE_TEST_CASE(cancels_a_pending_user_when_another_request_comes_between, StartedServer) {
    registerAccount(*this, "yoda");
    LineClient client = connect();
    BOOST_TEST(client.request("USER yoda").code == 331);
    BOOST_TEST(client.request("PING").code == 200);
    BOOST_TEST(client.request("PASS " + std::string(kPassword)).code == 400);
    BOOST_TEST(client.request("USER yoda").code == 331);
    BOOST_TEST(client.request("CAPA").code == 215);
    client.readBody();
    BOOST_TEST(client.request("PASS " + std::string(kPassword)).code == 400);
    // A new account's pending USER is cancelled the same way, and nothing was registered.
    BOOST_TEST(client.request("USER luke").code == 332);
    BOOST_TEST(client.request("FROB").code == 400);
    BOOST_TEST(client.request("PASS " + std::string(kPassword)).code == 400);
    BOOST_TEST(client.request("USER luke").code == 332);
}

BOOST_FIXTURE_TEST_CASE(answers_invalid_usernames_with_400, StartedServer) {
    LineClient client = connect();
    const std::string tooLong(33, 'a');
    for (const std::string& name :
         {tooLong, std::string("bad/name"), std::string("bang!"), std::string("caf\xc3\xa9"),
          std::string("a,b"), std::string("tab\tname"), std::string("bad\xff")}) {
        const Response response = client.request("USER " + name);
        BOOST_TEST(response.code == 400, name << " -> " << response);
    }
    BOOST_TEST(client.request("USER").code == 400);
    BOOST_TEST(client.request("USER two words").code == 400);
    // The longest name and every allowed character class are fine.
    BOOST_TEST(client.request("USER " + std::string(32, 'z')).code == 332);
    BOOST_TEST(client.request("USER A-z_0.9").code == 332);
    BOOST_TEST(client.request("PASS " + std::string(kPassword)).code == 231);
}

BOOST_FIXTURE_TEST_CASE(answers_a_password_over_128_bytes_with_400_for_any_account, StartedServer) {
    registerAccount(*this, "yoda");
    const std::string tooLong(129, 'p');
    const std::string longest(128, 'p');
    LineClient client = connect();
    BOOST_TEST(client.request("USER yoda").code == 331);
    BOOST_TEST(client.request("PASS " + tooLong).code == 400);
    BOOST_TEST(client.request("USER luke").code == 332);
    BOOST_TEST(client.request("PASS " + tooLong).code == 400);
    // 128 bytes are a valid password.
    BOOST_TEST(client.request("USER luke").code == 332);
    BOOST_TEST(client.request("PASS " + longest).code == 231);
    BOOST_TEST(client.request("XIT").code == 221);
    client.expectClosed();
    LineClient again = connect();
    again.login("luke", longest);
}

BOOST_FIXTURE_TEST_CASE(answers_user_and_pass_after_login_with_400, StartedServer) {
    LineClient client = loggedIn("yoda");
    BOOST_TEST(client.request("USER yoda").code == 400);
    BOOST_TEST(client.request("USER luke").code == 400);
    BOOST_TEST(client.request("PASS " + std::string(kPassword)).code == 400);
    BOOST_TEST(client.request("CRT jedi").code == 201);  // still logged in as before
}

BOOST_FIXTURE_TEST_CASE(refuses_unknown_names_with_403_when_registration_is_closed, ServerFixture) {
    start();
    registerAccount(*this, "yoda");
    stop();
    start({"--no-register"});
    LineClient client = connect();
    BOOST_TEST(client.request("USER luke").code == 403);
    BOOST_TEST(client.request("USER yoda").code == 331);
    BOOST_TEST(client.request("PASS " + std::string(kPassword)).code == 230);
}

BOOST_FIXTURE_TEST_CASE(refuses_a_second_live_login_with_409, StartedServer) {
    LineClient first = loggedIn("yoda");
    LineClient second = connect("second");
    BOOST_TEST(second.request("USER yoda").code == 331);
    const Response refused = second.request("PASS " + std::string(kPassword));
    BOOST_TEST(refused.code == 409, refused);
    BOOST_TEST(refused.field(1) == "yoda", refused);  // `409 <username> is already logged in`
    // Regardless of case, it is the same account.
    BOOST_TEST(second.request("USER YODA").code == 331);
    BOOST_TEST(second.request("PASS " + std::string(kPassword)).code == 409);
    BOOST_TEST(first.request("PING").code == 200);
    // The second session is still not logged in.
    BOOST_TEST(second.request("LST").code == 401);
}

BOOST_FIXTURE_TEST_CASE(frees_the_name_when_the_first_session_says_xit, StartedServer) {
    LineClient first = loggedIn("yoda");
    LineClient second = connect("second");
    BOOST_TEST(second.request("USER yoda").code == 331);
    BOOST_TEST(second.request("PASS " + std::string(kPassword)).code == 409);
    BOOST_TEST(first.request("XIT").code == 221);
    first.expectClosed();
    BOOST_TEST(second.request("USER yoda").code == 331);
    BOOST_TEST(second.request("PASS " + std::string(kPassword)).code == 230);
}

BOOST_FIXTURE_TEST_CASE(frees_the_name_when_the_first_connection_drops, StartedServer) {
    LineClient first = loggedIn("yoda");
    first.close();
    // The server learns of the drop asynchronously; until then 409 is right, and a 409 does not
    // count toward the 429 (protocol.md §6), so retrying on one connection is fair.
    LineClient second = connect("second");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    int answer = 0;
    int attempts = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        BOOST_TEST_REQUIRE(second.request("USER yoda").code == 331);
        answer = second.request("PASS " + std::string(kPassword)).code;
        ++attempts;
        if (answer != 409) {
            break;
        }
    }
    BOOST_TEST(answer == 230, "last answer " << answer << " after " << attempts << " attempts");
}

BOOST_FIXTURE_TEST_CASE(answers_the_fifth_failure_with_429_and_closes, StartedServer) {
    registerAccount(*this, "yoda");
    LineClient client = connect();
    for (int failure = 1; failure <= 4; ++failure) {
        failOnce(client, "yoda", 401);
    }
    failOnce(client, "yoda", 429);
    client.expectClosed();
    // The count is per connection: a new one starts again.
    LineClient fresh = connect("fresh");
    fresh.login("yoda", kPassword);
}

BOOST_FIXTURE_TEST_CASE(counts_failed_sht_toward_the_429, StartedServer) {
    registerAccount(*this, "yoda");
    LineClient client = connect();
    failOnce(client, "yoda", 401);
    BOOST_TEST(client.request("SHT wrong admin password").code == 403);
    failOnce(client, "yoda", 401);
    BOOST_TEST(client.request("SHT still wrong").code == 403);
    failOnce(client, "yoda", 429);
    client.expectClosed();
    BOOST_TEST(server().running());
}

BOOST_FIXTURE_TEST_CASE(answers_a_fifth_failure_that_is_an_sht_with_429, StartedServer) {
    LineClient client = loggedIn("yoda");
    for (int failure = 1; failure <= 4; ++failure) {
        BOOST_TEST_REQUIRE(client.request("SHT wrong").code == 403);
    }
    BOOST_TEST(client.request("SHT wrong").code == 429);
    client.expectClosed();
    BOOST_TEST(server().running());
}

BOOST_FIXTURE_TEST_CASE(does_not_count_409_toward_the_429, StartedServer) {
    LineClient first = loggedIn("yoda");
    registerAccount(*this, "luke");
    LineClient second = connect("second");
    for (int attempt = 0; attempt < 6; ++attempt) {
        BOOST_TEST_REQUIRE(second.request("USER yoda").code == 331);
        BOOST_TEST_REQUIRE(second.request("PASS " + std::string(kPassword)).code == 409);
    }
    // Four real failures are still 401; only the fifth is 429.
    for (int failure = 1; failure <= 4; ++failure) {
        failOnce(second, "luke", 401);
    }
    failOnce(second, "luke", 429);
    second.expectClosed();
}

BOOST_AUTO_TEST_SUITE_END()
