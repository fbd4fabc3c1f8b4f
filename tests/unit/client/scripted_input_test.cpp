// Lines from a script on stdin (client/scripted_input.h), and the socket watched meanwhile.

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <boost/test/unit_test.hpp>

#include "client/scripted_input.h"

namespace dfp::client {
namespace {

struct Pipes {
    int input[2] = {-1, -1};
    int socket[2] = {-1, -1};
    int interrupt[2] = {-1, -1};
    Pipes() {
        BOOST_REQUIRE(::pipe(input) == 0);
        BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, socket) == 0);
        BOOST_REQUIRE(::pipe(interrupt) == 0);
    }
    ~Pipes() {
        for (int fd : {input[0], input[1], socket[0], socket[1], interrupt[0], interrupt[1]}) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }
    void type(const std::string& text) const {
        BOOST_REQUIRE(::write(input[1], text.data(), text.size()) ==
                      static_cast<ssize_t>(text.size()));
    }
    void endInput() {
        ::close(input[1]);
        input[1] = -1;
    }
};

int kindOf(const InputEvent& event) {
    return static_cast<int>(event.kind);
}

BOOST_AUTO_TEST_SUITE(scripted_input)

BOOST_AUTO_TEST_CASE(yields_lines_without_cr_and_a_last_line_without_lf) {
    Pipes pipes;
    ScriptedInput input(pipes.input[0], pipes.socket[0], pipes.interrupt[0]);
    pipes.type("yoda\r\nsecret  pw \nLST");
    pipes.endInput();
    for (const char* expected : {"yoda", "secret  pw ", "LST"}) {
        const InputEvent event = input.readLine({});
        BOOST_TEST(kindOf(event) == static_cast<int>(InputEvent::Kind::Line));
        BOOST_TEST(event.text == expected);
    }
    BOOST_TEST(kindOf(input.readLine({})) == static_cast<int>(InputEvent::Kind::End));
}

BOOST_AUTO_TEST_CASE(reports_the_server_while_waiting_for_a_line) {
    Pipes pipes;
    ScriptedInput input(pipes.input[0], pipes.socket[0], pipes.interrupt[0]);
    BOOST_REQUIRE(::write(pipes.socket[1], "600 bye\n", 8) == 8);
    BOOST_TEST(kindOf(input.readLine({})) == static_cast<int>(InputEvent::Kind::ServerActivity));
}

BOOST_AUTO_TEST_CASE(reports_an_interrupt) {
    Pipes pipes;
    ScriptedInput input(pipes.input[0], pipes.socket[0], pipes.interrupt[0]);
    BOOST_REQUIRE(::write(pipes.interrupt[1], "i", 1) == 1);
    BOOST_TEST(kindOf(input.readLine({})) == static_cast<int>(InputEvent::Kind::Interrupt));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dfp::client
