// Everything stays across a restart on the same data dir: accounts, threads, messages with
// their numbers, files (protocol.md §4 "Message numbers", §5 "All data stays").

#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <string>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

Lines readThread(LineClient& client, const std::string& title) {
    const Response response = client.request("RDT " + title);
    BOOST_TEST_REQUIRE(response.code == 210, response);
    Lines body = client.readBody();
    BOOST_TEST(response.field(1) == std::to_string(body.size()), response);
    return body;
}

Lines listThreads(LineClient& client) {
    const Response response = client.request("LST");
    BOOST_TEST_REQUIRE(response.code == 215, response);
    return client.readBody();
}

std::string download(LineClient& client, const std::string& title, const std::string& file) {
    const Response header = client.request("DWN " + title + " " + file);
    BOOST_TEST_REQUIRE(header.code == 211, header);
    const std::string bytes = client.readBytes(std::stoull(header.field(1)));
    BOOST_TEST(header.field(2) == sha256Hex(bytes), header);
    return bytes;
}

void upload(LineClient& client, const std::string& title, const std::string& file,
            const std::string& bytes) {
    client.expect("UPD " + title + " " + file + " " + std::to_string(bytes.size()), 340);
    client.sendRaw(bytes);
    const Response done = client.readStatus();
    BOOST_TEST_REQUIRE(done.code == 201, done);
}

// A forum with a bit of everything, including deletions, an edit and a removed thread.
void populate(ServerFixture& fixture) {
    LineClient yoda = fixture.loggedIn("Yoda", "wise old one");
    LineClient luke = fixture.loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    yoda.expect("CRT sith", 201);
    yoda.expect("CRT gone", 201);
    yoda.expect("MSG jedi one", 201);
    luke.expect("MSG jedi two  spaced  ", 201);
    yoda.expect("MSG jedi three", 201);
    upload(luke, "jedi", "all.bin", everyByteValue(3));
    upload(yoda, "jedi", "removed.txt", "bye");
    yoda.expect("MSG jedi four", 201);
    yoda.expect("DLT jedi 4", 200);  // the last number: must not come back after the restart
    yoda.expect("EDT jedi 1 one, edited", 200);
    yoda.expect("RMF jedi removed.txt", 200);
    yoda.expect("MSG gone lost", 201);
    yoda.expect("RMV gone", 200);
    luke.expect("MSG sith dark", 201);
}

void checkPopulated(ServerFixture& fixture) {
    LineClient yoda = fixture.connect("yoda");
    BOOST_TEST(yoda.request("USER yoda").code == 331);  // the account exists
    const Response loggedIn = yoda.request("PASS wise old one");
    BOOST_TEST_REQUIRE(loggedIn.code == 230, loggedIn);
    BOOST_TEST(loggedIn.field(1) == "Yoda", loggedIn);
    BOOST_TEST(listThreads(yoda) == (Lines{"jedi", "sith"}));
    const Lines jedi{"1 Yoda: one, edited", "2 luke: two  spaced  ", "3 Yoda: three",
                     "luke uploaded all.bin"};
    BOOST_TEST(readThread(yoda, "jedi") == jedi);
    BOOST_TEST(readThread(yoda, "sith") == Lines{"1 luke: dark"});
    BOOST_TEST(download(yoda, "jedi", "all.bin") == everyByteValue(3));
    BOOST_TEST(yoda.request("DWN jedi removed.txt").code == 404);
    BOOST_TEST(yoda.request("RDT gone").code == 404);
    // Numbering continues past the deleted last message; ownership survived too.
    BOOST_TEST(yoda.request("MSG jedi five").field(1) == "5");
    BOOST_TEST(yoda.request("DLT jedi 2").code == 403);
    BOOST_TEST(yoda.request("CRT jedi").code == 409);
    BOOST_TEST(yoda.request("UPD jedi all.bin 1").code == 409);
    // A thread created again after RMV starts at 1 (protocol.md §6).
    yoda.expect("CRT gone", 201);
    BOOST_TEST(yoda.request("MSG gone back").field(1) == "1");
    LineClient luke = fixture.loggedIn("luke");
    BOOST_TEST(luke.request("RMF jedi all.bin").code == 200);  // still luke's upload
}

}  // namespace

BOOST_AUTO_TEST_SUITE(persistence)

BOOST_FIXTURE_TEST_CASE(serves_everything_again_after_sht_and_a_restart, StartedServer) {
    populate(*this);
    {
        LineClient admin = connect("admin");
        BOOST_TEST_REQUIRE(admin.request("SHT " + std::string(kAdminPassword)).code == 250);
        admin.expectClosed();
    }
    BOOST_TEST_REQUIRE(server().expectExit().isCleanZero());
    start();
    checkPopulated(*this);
}

BOOST_FIXTURE_TEST_CASE(serves_everything_again_after_sigterm_and_a_restart, StartedServer) {
    populate(*this);
    stop();
    start();
    checkPopulated(*this);
}

BOOST_FIXTURE_TEST_CASE(serves_everything_again_after_two_restarts, StartedServer) {
    populate(*this);
    stop();
    start();
    stop();
    start();
    checkPopulated(*this);
}

BOOST_FIXTURE_TEST_CASE(keeps_the_numbering_of_a_thread_across_restarts, StartedServer) {
    {
        LineClient client = loggedIn("yoda");
        client.expect("CRT jedi", 201);
        client.expect("MSG jedi one", 201);
        client.expect("MSG jedi two", 201);
        client.expect("DLT jedi 2", 200);
    }
    stop();
    start();
    {
        LineClient client = loggedIn("yoda");
        BOOST_TEST(client.request("MSG jedi three").field(1) == "3");
        client.expect("DLT jedi 3", 200);
    }
    stop();
    start();
    LineClient client = loggedIn("yoda");
    BOOST_TEST(client.request("MSG jedi four").field(1) == "4");
    BOOST_TEST(readThread(client, "jedi") == (Lines{"1 yoda: one", "4 yoda: four"}));
}

BOOST_AUTO_TEST_SUITE_END()
