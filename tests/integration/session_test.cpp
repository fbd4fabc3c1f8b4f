// The session outside the forum commands: greeting, the gate (unknown verb, login first),
// PING, CAPA, HELP, XIT, and how request lines are split (protocol.md §1, §3, §4, §6).

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

bool contains(const Lines& lines, const std::string& wanted) {
    return std::find(lines.begin(), lines.end(), wanted) != lines.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(session)

BOOST_FIXTURE_TEST_CASE(greets_with_dfp1_and_a_one_token_server_name, StartedServer) {
    LineClient client(port());
    const Response greeting = client.readStatus();
    // protocol.md §3: `200 DFP/1 <server-name> ready`; §6: the name is one token.
    BOOST_TEST(greeting.code == 200);
    BOOST_TEST(greeting.field(1) == "DFP/1");
    BOOST_TEST(!greeting.field(2).empty(), greeting);
    BOOST_TEST(greeting.line.rfind("200 DFP/1 " + greeting.field(2) + " ", 0) == 0u, greeting);
}

BOOST_FIXTURE_TEST_CASE(answers_ping_before_and_after_login, StartedServer) {
    LineClient client = connect();
    BOOST_TEST(client.request("PING").code == 200);
    client.login("yoda", kPassword);
    BOOST_TEST(client.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(treats_verbs_case_insensitively, StartedServer) {
    LineClient client = connect();
    BOOST_TEST(client.request("ping").code == 200);
    BOOST_TEST(client.request("PiNg").code == 200);
    BOOST_TEST(client.request("user yoda").code == 332);
    BOOST_TEST(client.request("pass " + std::string(kPassword)).code == 231);
    BOOST_TEST(client.request("crt jedi").code == 201);
    BOOST_TEST(client.request("Msg jedi hello").code == 201);
    const Response listed = client.request("lst");
    BOOST_TEST(listed.code == 215);
    BOOST_TEST(client.readBody() == Lines{"jedi"});
}

BOOST_FIXTURE_TEST_CASE(lists_dfp1_in_capa_before_and_after_login, StartedServer) {
    LineClient client = connect();
    for (int round = 0; round < 2; ++round) {
        const Response capa = client.request("CAPA");
        BOOST_TEST_REQUIRE(capa.code == 215, capa);
        const Lines body = client.readBody();
        BOOST_TEST(capa.field(1) == std::to_string(body.size()), capa);
        BOOST_TEST(contains(body, "DFP/1"));
        if (round == 0) {
            client.login("yoda", kPassword);
        }
    }
}

BOOST_FIXTURE_TEST_CASE(lists_every_command_in_help_before_login, StartedServer) {
    LineClient client = connect();
    const Response help = client.request("HELP");
    BOOST_TEST_REQUIRE(help.code == 215, help);
    const Lines body = client.readBody();
    BOOST_TEST(help.field(1) == std::to_string(body.size()), help);
    std::string all;
    for (const std::string& line : body) {
        all += line + '\n';
    }
    for (const char* verb : {"USER", "PASS", "CRT", "MSG", "DLT", "EDT", "LST", "RDT", "UPD", "DWN",
                             "RMF", "RMV", "XIT", "SHT", "PING", "CAPA", "HELP"}) {
        BOOST_TEST(all.find(verb) != std::string::npos, "HELP does not mention " << verb);
    }
    BOOST_TEST(client.request("PING").code == 200);  // the body ended where it said
}

BOOST_FIXTURE_TEST_CASE(answers_unknown_verbs_with_400_in_every_state, StartedServer) {
    LineClient client = connect();
    const Response before = client.request("FROB x y");
    BOOST_TEST(before.code == 400);
    BOOST_TEST(before.field(3) == "FROB", before);  // `400 unknown command <VERB>`
    client.login("yoda", kPassword);
    const Response after = client.request("FROB");
    BOOST_TEST(after.code == 400);
    BOOST_TEST(after.field(3) == "FROB", after);
    // The original DFP's string constants are not verbs any more (protocol.md §8).
    BOOST_TEST(client.request("DFP 2024 hello").code == 400);
    BOOST_TEST(client.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(answers_401_to_every_forum_verb_before_login, StartedServer) {
    LineClient client = connect();
    // Valid, short and wrong argument counts alike: before login the gate answers 401 for any
    // known verb outside USER/PASS/SHT/PING/CAPA/HELP/XIT (protocol.md §3).
    for (const char* line :
         {"CRT jedi", "MSG jedi hello there", "DLT jedi 1", "EDT jedi 1 new text", "LST",
          "RDT jedi", "UPD jedi notes.txt 5", "DWN jedi notes.txt", "RMF jedi notes.txt",
          "RMV jedi", "CRT", "LST extra", "msg jedi lower case"}) {
        const Response response = client.request(line);
        BOOST_TEST(response.code == 401, line << " -> " << response);
    }
    // UPD got no 340, so no bytes are expected: the next line is a request.
    BOOST_TEST(client.request("PING").code == 200);
    client.login("yoda", kPassword);
    BOOST_TEST(client.request("LST").code == 215);
    BOOST_TEST(client.readBody().empty());
}

BOOST_FIXTURE_TEST_CASE(says_goodbye_and_closes_on_xit_before_login, StartedServer) {
    LineClient client = connect();
    BOOST_TEST(client.request("XIT").code == 221);
    client.expectClosed();
}

BOOST_FIXTURE_TEST_CASE(says_goodbye_and_closes_on_xit_after_login, StartedServer) {
    LineClient client = loggedIn("yoda");
    const Response bye = client.request("xit");
    BOOST_TEST(bye.code == 221, bye);
    client.expectClosed();
}

BOOST_FIXTURE_TEST_CASE(ignores_a_cr_before_the_lf, StartedServer) {
    LineClient client = connect();
    client.sendRaw("PING\r\n");
    BOOST_TEST(client.readStatus().code == 200);
    client.sendRaw("USER yoda\r\nPASS " + std::string(kPassword) + "\r\n");
    BOOST_TEST(client.readStatus().code == 332);
    BOOST_TEST(client.readStatus().code == 231);
    client.sendRaw("CRT jedi\r\nMSG jedi trailing  \r\n");
    const Response created = client.readStatus();
    BOOST_TEST(created.code == 201);
    BOOST_TEST(created.field(1) == "jedi", created);
    BOOST_TEST(client.readStatus().code == 201);
    BOOST_TEST(client.request("RDT jedi").code == 210);
    BOOST_TEST(client.readBody() == Lines{"1 yoda: trailing  "});
    // And the password was the rest of the line without the CR.
    LineClient again = connect("again");
    BOOST_TEST(client.request("XIT").code == 221);
    client.expectClosed();
    again.login("yoda", kPassword);
}

BOOST_FIXTURE_TEST_CASE(accepts_several_spaces_between_arguments, StartedServer) {
    LineClient client = loggedIn("yoda");
    BOOST_TEST(client.request("CRT    jedi").code == 201);
    const Response posted = client.request("MSG  jedi     do or do not");
    BOOST_TEST(posted.code == 201);
    BOOST_TEST(posted.field(1) == "1", posted);
    BOOST_TEST(client.request("EDT   jedi   1    there is no  try ").code == 200);
    BOOST_TEST(client.request("RDT     jedi").code == 210);
    BOOST_TEST(client.readBody() == Lines{"1 yoda: there is no  try "});
    BOOST_TEST(client.request("DLT jedi    1").code == 200);
}

BOOST_AUTO_TEST_SUITE_END()
