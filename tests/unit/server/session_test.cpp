// The session state machine driven directly, without a socket, over an in-memory store
// (STYLE.md §10). Expected replies come from docs/protocol.md.

#include <boost/test/unit_test.hpp>

#include <sodium.h>

#include <memory>
#include <string>
#include <vector>

#include "server/session.h"
#include "support/fake_store.h"
#include "support/string_sink.h"

using dfp::test::StringSink;

namespace {

using dfp::protocol::LineEvent;
using dfp::server::Next;
using dfp::server::ServerConfig;
using dfp::server::ServerContext;
using dfp::server::Session;
using dfp::server::SessionRegistry;

struct Forum {
    Forum() {
        BOOST_REQUIRE(sodium_init() >= 0);
        config.adminPassword = "admin secret";
    }
    ServerConfig config;
    dfp::test::FakeForumStore store;
    SessionRegistry registry{100};
    dfp::server::LoginThrottle throttle{{1000, 1000, std::chrono::seconds(300)}};
    ServerContext context{config, store, registry, throttle};
};

// One session and what it answered.
struct Client {
    explicit Client(Forum& forum) : session(std::make_unique<Session>(forum.context)) {}

    // Sends one line; returns everything the session wrote for it.
    std::string send(const std::string& line) {
        last = session->handle(LineEvent{LineEvent::Kind::Line, line}, sink);
        return sink.take();
    }
    std::string login(const std::string& user, const std::string& password) {
        send("USER " + user);
        return send("PASS " + password);
    }

    std::unique_ptr<Session> session;
    StringSink sink;
    Next last;
};

std::string sha256Hex(std::string_view bytes) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(session_gate)

BOOST_AUTO_TEST_CASE(checks_unknown_verb_then_login_then_arity) {
    Forum forum;
    Client client(forum);
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"FROB x", "400 unknown command FROB\n"},
        {"CRT", "401 log in first\n"},  // login is judged before arity
        {"msg jedi hello", "401 log in first\n"},
        {"USER", "400 usage: USER <username>\n"},
        {"PING", "200 pong\n"},
        {"ping extra", "400 usage: PING\n"},
    };
    for (const auto& [line, expected] : rows) {
        BOOST_TEST_CONTEXT(line) {
            BOOST_TEST(client.send(line) == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(refuses_invalid_utf8_and_empty_lines_with_400) {
    Forum forum;
    Client client(forum);
    BOOST_TEST(client.send("PING \xc0\xaf").substr(0, 4) == "400 ");
    BOOST_TEST(client.send("").substr(0, 4) == "400 ");
    BOOST_TEST(client.send("PING") == "200 pong\n");
}

BOOST_AUTO_TEST_CASE(answers_414_for_a_long_line_and_goes_on) {
    Forum forum;
    Client client(forum);
    StringSink sink;
    auto next = client.session->handle(LineEvent{LineEvent::Kind::TooLong, {}}, sink);
    BOOST_TEST(sink.take() == "414 line too long\n");
    BOOST_TEST(static_cast<int>(next.action) == static_cast<int>(Next::Action::Continue));
    BOOST_TEST(client.send("PING") == "200 pong\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(session_login)

BOOST_AUTO_TEST_CASE(registers_a_new_user_then_logs_in_with_the_first_spelling) {
    Forum forum;
    {
        Client first(forum);
        BOOST_TEST(first.send("USER Yoda") == "332 new account, choose a password\n");
        BOOST_TEST(first.send("PASS wise old one") == "231 Yoda account created, logged in\n");
    }
    Client second(forum);
    BOOST_TEST(second.send("USER yoda") == "331 password required\n");
    BOOST_TEST(second.send("PASS wise old one") == "230 Yoda logged in\n");
    BOOST_TEST(second.send("USER yoda").substr(0, 4) == "400 ");
    BOOST_TEST(second.send("PASS x").substr(0, 4) == "400 ");
}

BOOST_AUTO_TEST_CASE(a_request_between_user_and_pass_cancels_the_user) {
    Forum forum;
    Client client(forum);
    client.send("USER luke");
    BOOST_TEST(client.send("PING") == "200 pong\n");
    BOOST_TEST(client.send("PASS secret").substr(0, 4) == "400 ");
    BOOST_TEST(client.send("PASS secret").substr(0, 4) == "400 ");
}

BOOST_AUTO_TEST_CASE(refuses_a_password_over_128_bytes_whether_or_not_the_account_exists) {
    Forum forum;
    Client client(forum);
    client.send("USER newbie");
    BOOST_TEST(client.send("PASS " + std::string(129, 'p')).substr(0, 4) == "400 ");
    client.send("USER newbie");
    BOOST_TEST(client.send("PASS " + std::string(128, 'p')) ==
               "231 newbie account created, logged in\n");
}

BOOST_AUTO_TEST_CASE(a_second_live_login_gets_409_until_the_first_session_ends) {
    Forum forum;
    auto first = std::make_unique<Client>(forum);
    first->login("han", "solo");
    Client second(forum);
    BOOST_TEST(second.login("HAN", "solo") == "409 han is already logged in\n");
    first.reset();
    BOOST_TEST(second.login("han", "solo") == "230 han logged in\n");
}

BOOST_AUTO_TEST_CASE(the_fifth_failure_is_answered_429_and_closes) {
    Forum forum;
    { Client(forum).login("leia", "right"); }
    Client client(forum);
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(client.login("leia", "wrong") == "401 wrong password\n");
    }
    BOOST_TEST(client.send("SHT wrong").substr(0, 4) == "403 ");  // the 4th failure
    BOOST_TEST(client.login("leia", "wrong").substr(0, 4) == "429 ");
    BOOST_TEST(static_cast<int>(client.last.action) == static_cast<int>(Next::Action::Close));
}

BOOST_AUTO_TEST_CASE(registration_closed_answers_403) {
    Forum forum;
    forum.config.registrationOpen = false;
    Client client(forum);
    BOOST_TEST(client.send("USER stranger") == "403 registration is closed\n");
}

BOOST_AUTO_TEST_CASE(sht_with_the_admin_password_answers_250_and_starts_the_shutdown) {
    Forum forum;
    Client client(forum);
    BOOST_TEST(client.send("SHT admin secret") == "250 shutting down\n");
    BOOST_TEST(static_cast<int>(client.last.action) == static_cast<int>(Next::Action::Close));
    BOOST_TEST(forum.registry.shuttingDown());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(session_forum)

BOOST_AUTO_TEST_CASE(maps_store_outcomes_to_codes) {
    Forum forum;
    Client yoda(forum);
    yoda.login("yoda", "pw");
    Client luke(forum);
    luke.login("luke", "pw");
    const std::vector<std::tuple<Client*, std::string, std::string>> rows = {
        {&yoda, "CRT jedi", "201 jedi thread created\n"},
        {&luke, "CRT jedi", "409 jedi thread exists\n"},
        {&yoda, "MSG jedi do or do not  ", "201 1 message posted\n"},
        {&yoda, "MSG sith hello", "404 "},
        {&luke, "EDT jedi 1 mine now", "403 "},
        {&luke, "DLT jedi 1", "403 "},
        {&yoda, "DLT jedi 0", "404 "},
        {&yoda, "DLT jedi 1x", "400 "},
        {&yoda, "DLT jedi 1234567890123456789", "400 "},
        {&yoda, "EDT jedi 1 there is no try", "200 message 1 edited\n"},
        {&yoda, "MSG jedi " + std::string(4001, 'x'), "413 "},
        {&yoda, "MSG jedi " + std::string(4000, 'x'), "201 2 message posted\n"},
        {&yoda, "DLT jedi 2", "200 message 2 deleted\n"},
        {&yoda, "MSG jedi again", "201 3 message posted\n"},
        {&luke, "RMV jedi", "403 "},
        {&yoda, "UPD jedi a/b 3", "400 "},
        {&yoda, "UPD nowhere f 3", "404 "},
        {&yoda, "RMV jedi", "200 thread jedi removed\n"},
        {&yoda, "RDT jedi", "404 "},
    };
    for (const auto& [client, line, expected] : rows) {
        BOOST_TEST_CONTEXT(line.substr(0, 40)) {
            std::string answer = client->send(line);
            // A bare code: the words after it are for people and may be reworded.
            BOOST_TEST((expected.size() == 4 ? answer.substr(0, 4) : answer) == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(streams_rdt_and_lst_with_dot_stuffing) {
    Forum forum;
    Client dot(forum);
    dot.login(".dot", "pw");
    dot.send("CRT .hidden-ish");
    dot.send("MSG .hidden-ish keep  inner   spaces ");
    BOOST_TEST(dot.send("LST") == "215 1 threads\n..hidden-ish\n.\n");
    BOOST_TEST(dot.send("RDT .hidden-ish") == "210 1 entries\n1 .dot: keep  inner   spaces \n.\n");
    auto next =
        dot.session->handle(LineEvent{LineEvent::Kind::Line, "UPD .hidden-ish f.txt 2"}, dot.sink);
    BOOST_TEST(dot.sink.take() == "340 2 send the bytes\n");
    BOOST_TEST(next.uploadBytes == 2u);
    dot.session->receiveUpload("hi");
    dot.session->finishUpload(dot.sink);
    BOOST_TEST(dot.sink.take() == "201 f.txt 2 uploaded\n");
    BOOST_TEST(dot.send("RDT .hidden-ish") ==
               "210 2 entries\n1 .dot: keep  inner   spaces \n..dot uploaded f.txt\n.\n");
    BOOST_TEST(dot.send("DWN .hidden-ish f.txt") == "211 2 " + sha256Hex("hi") + " f.txt\nhi");
}

BOOST_AUTO_TEST_CASE(a_full_disk_during_upload_answers_507_after_the_bytes_and_stores_nothing) {
    Forum forum;
    Client client(forum);
    client.login("yoda", "pw");
    client.send("CRT jedi");
    client.session->handle(LineEvent{LineEvent::Kind::Line, "UPD jedi big.bin 6"}, client.sink);
    client.sink.take();
    forum.store.failNextWrite();
    client.session->receiveUpload("abc");
    client.session->receiveUpload("def");
    client.session->finishUpload(client.sink);
    BOOST_TEST(client.sink.take().substr(0, 4) == "507 ");
    BOOST_TEST(client.send("DWN jedi big.bin").substr(0, 4) == "404 ");
    BOOST_TEST(client.send("RDT jedi") == "210 0 entries\n.\n");
}

BOOST_AUTO_TEST_CASE(a_checksum_mismatch_answers_400_and_stores_nothing) {
    Forum forum;
    Client client(forum);
    client.login("yoda", "pw");
    client.send("CRT jedi");
    client.session->handle(LineEvent{LineEvent::Kind::Line, "UPD jedi f 3 " + std::string(64, 'A')},
                           client.sink);
    client.sink.take();
    client.session->receiveUpload("abc");
    client.session->finishUpload(client.sink);
    BOOST_TEST(client.sink.take().substr(0, 4) == "400 ");
    BOOST_TEST(client.send("DWN jedi f").substr(0, 4) == "404 ");
}

BOOST_AUTO_TEST_CASE(an_unexpected_store_failure_escapes_to_the_connection) {
    Forum forum;
    Client client(forum);
    client.login("yoda", "pw");
    forum.store.throwOnNextCall();
    BOOST_CHECK_THROW(client.send("CRT jedi"), std::runtime_error);
    BOOST_TEST(client.send("CRT jedi") == "201 jedi thread created\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(session_throttle)

BOOST_AUTO_TEST_CASE(a_locked_account_gets_429_even_with_the_right_password) {
    Forum forum;
    dfp::server::LoginThrottle strict{{1000, 2, std::chrono::seconds(300)}};
    ServerContext context{forum.config, forum.store, forum.registry, strict};
    { Client(forum).login("leia", "right"); }
    for (int i = 0; i < 2; ++i) {
        Session session(context, "192.0.2.1");
        StringSink sink;
        session.handle(LineEvent{LineEvent::Kind::Line, "USER leia"}, sink);
        BOOST_TEST(sink.take() == "331 password required\n");
        session.handle(LineEvent{LineEvent::Kind::Line, "PASS wrong"}, sink);
        BOOST_TEST(sink.take() == "401 wrong password\n");
    }
    Session session(context, "192.0.2.99");
    StringSink sink;
    session.handle(LineEvent{LineEvent::Kind::Line, "USER leia"}, sink);
    sink.take();
    auto next = session.handle(LineEvent{LineEvent::Kind::Line, "PASS right"}, sink);
    BOOST_TEST(sink.take().substr(0, 4) == "429 ");
    BOOST_TEST(static_cast<int>(next.action) == static_cast<int>(Next::Action::Close));
    BOOST_TEST(session.user().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(session_leave)

BOOST_AUTO_TEST_CASE(the_name_is_free_by_the_time_xit_is_answered) {
    Forum forum;
    Client first(forum);
    first.login("han", "solo");
    BOOST_TEST(first.send("XIT") == "221 goodbye\n");
    // The first session object still exists (its connection has not closed yet).
    Client second(forum);
    BOOST_TEST(second.login("han", "solo") == "230 han logged in\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(session_waits)

// Counts the session's warnings that it is about to wait for long.
class WaitCountingSink : public StringSink {
public:
    void aboutToWait() override { ++waits; }
    int waits = 0;
};

BOOST_AUTO_TEST_CASE(tells_its_sink_before_a_hash_or_a_transfer_and_at_no_other_request) {
    Forum forum;
    Session session(forum.context);
    WaitCountingSink sink;
    auto send = [&](const std::string& line) {
        session.handle(LineEvent{LineEvent::Kind::Line, line}, sink);
        return sink.take();
    };
    send("USER yoda");
    BOOST_TEST(sink.waits == 0);
    BOOST_TEST(send("PASS secret").substr(0, 3) == "231");  // registered and logged in
    BOOST_TEST(sink.waits == 1);
    for (const char* line : {"PING", "CRT jedi", "MSG jedi hello", "RDT jedi", "LST",
                             "EDT jedi 1 there", "CAPA", "FROB"}) {
        send(line);
        BOOST_TEST(sink.waits == 1, line);
    }
    send("UPD jedi a.txt 3");
    BOOST_TEST(sink.waits == 2);
    session.abandonUpload();
    send("DWN jedi a.txt");
    BOOST_TEST(sink.waits == 3);
}

BOOST_AUTO_TEST_SUITE_END()
