// Framing independent of how the bytes arrive: many requests in one write, and a whole
// session one byte at a time (protocol.md §1 "A client may pipeline requests").

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

constexpr int kMessages = 100;

// A whole session as one string: register, create, post, upload, read, list, leave.
std::string scriptedSession() {
    std::string script = "USER yoda\nPASS " + std::string(kPassword) + "\nCRT jedi\n";
    for (int n = 1; n <= kMessages; ++n) {
        script += "MSG jedi message " + std::to_string(n) + "\n";
    }
    script += "UPD jedi notes.txt 6\nline\n\nRDT jedi\nLST\nping\nCAPA\nDLT jedi 1\nXIT\n";
    return script;
}

// Reads the answers to scriptedSession() and checks them in order.
void checkScriptedAnswers(LineClient& client) {
    BOOST_TEST_REQUIRE(client.readStatus().code == 332);
    BOOST_TEST_REQUIRE(client.readStatus().code == 231);
    BOOST_TEST_REQUIRE(client.readStatus().code == 201);
    for (int n = 1; n <= kMessages; ++n) {
        const Response posted = client.readStatus();
        BOOST_TEST_REQUIRE(posted.code == 201, posted);
        BOOST_TEST_REQUIRE(posted.field(1) == std::to_string(n), posted);
    }
    BOOST_TEST_REQUIRE(client.readStatus().code == 340);
    const Response uploaded = client.readStatus();
    BOOST_TEST_REQUIRE(uploaded.code == 201, uploaded);
    BOOST_TEST(uploaded.field(1) == "notes.txt");

    const Response thread = client.readStatus();
    BOOST_TEST_REQUIRE(thread.code == 210, thread);
    BOOST_TEST(thread.field(1) == std::to_string(kMessages + 1), thread);
    Lines expected;
    for (int n = 1; n <= kMessages; ++n) {
        expected.push_back(std::to_string(n) + " yoda: message " + std::to_string(n));
    }
    expected.push_back("yoda uploaded notes.txt");
    BOOST_TEST(client.readBody() == expected);

    BOOST_TEST_REQUIRE(client.readStatus().code == 215);
    BOOST_TEST(client.readBody() == Lines{"jedi"});
    BOOST_TEST_REQUIRE(client.readStatus().code == 200);
    BOOST_TEST_REQUIRE(client.readStatus().code == 215);
    client.readBody();
    BOOST_TEST_REQUIRE(client.readStatus().code == 200);
    BOOST_TEST_REQUIRE(client.readStatus().code == 221);
    client.expectClosed();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pipelining)

BOOST_FIXTURE_TEST_CASE(answers_many_requests_sent_in_one_write_in_order, StartedServer) {
    LineClient client = connect();
    client.sendRaw(scriptedSession());
    checkScriptedAnswers(client);
}

BOOST_FIXTURE_TEST_CASE(serves_a_session_written_one_byte_at_a_time, StartedServer) {
    LineClient client = connect();
    client.sendBytewise(scriptedSession());
    checkScriptedAnswers(client);
}

BOOST_FIXTURE_TEST_CASE(keeps_answering_errors_in_order_in_a_pipeline, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.sendRaw(
        "CRT jedi\nCRT jedi\nFROB\nMSG nothing x\nMSG jedi ok\nDLT jedi 0\nDLT jedi 1x\n"
        "RDT jedi\nDLT jedi 1\nPING\n");
    for (int code : {201, 409, 400, 404, 201, 404, 400, 210}) {
        const Response response = client.readStatus();
        BOOST_TEST_REQUIRE(response.code == code, response);
    }
    BOOST_TEST(client.readBody() == Lines{"1 yoda: ok"});
    BOOST_TEST(client.readStatus().code == 200);
    BOOST_TEST(client.readStatus().code == 200);
}

BOOST_FIXTURE_TEST_CASE(splits_requests_at_any_byte_boundary, StartedServer) {
    LineClient client = connect();
    client.sendRaw("PI");
    client.sendRaw("NG\nPIN");
    BOOST_TEST(client.readStatus().code == 200);
    client.sendRaw("G\r");
    client.sendRaw("\n");
    BOOST_TEST(client.readStatus().code == 200);
}

BOOST_AUTO_TEST_SUITE_END()
