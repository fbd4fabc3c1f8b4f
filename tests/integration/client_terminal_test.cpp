// The real dfp-client on a pseudo-terminal (interactive mode, docs/client.md): the password is
// never echoed, a 600 ends the client while it waits at its prompt, Ctrl-C clears the line,
// Ctrl-D leaves, Tab completes, and the history lands in $HOME. Every wait reads the terminal
// with poll() up to a deadline (support/client_process.h); there are no sleeps.

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "support/client_process.h"
#include "support/server_fixture.h"

using namespace dfp::test;
namespace fs = std::filesystem;

namespace {

constexpr auto kWait = 10s;
const std::string kPrompt = "yoda@127.0.0.1> ";

// Waits for needle at or after from; returns the position just after it, for the next wait.
std::size_t await(ClientProcess& client, std::string_view needle, std::size_t from = 0) {
    BOOST_TEST_REQUIRE(client.waitForOutput(needle, kWait, from),
                       "waiting for '" << needle << "', the terminal shows:\n"
                                       << client.output());
    return client.output().find(needle, from) + needle.size();
}

struct TerminalFixture : StartedServer {
    fs::path home() const { return tempPath() / "home"; }

    std::unique_ptr<ClientProcess> start() {
        fs::create_directories(home());
        ClientLaunch launch;
        launch.binary = DFP_CLIENT_PATH;
        launch.args = {"--no-color", "--out=" + tempPath().string(), "127.0.0.1",
                       std::to_string(port())};
        launch.env = {{"HOME", home().string()}, {"TERM", "xterm"}};
        launch.workDir = tempPath();
        launch.terminal = true;
        return std::make_unique<ClientProcess>(std::move(launch));
    }

    // Logs in as yoda, registering the account on first use; returns at the first prompt.
    std::unique_ptr<ClientProcess> loggedInClient() {
        std::unique_ptr<ClientProcess> client = start();
        BOOST_TEST_REQUIRE(client->waitForOutput("Username: ", kWait), client->output());
        client->send("yoda\r");
        BOOST_TEST_REQUIRE(client->waitForOutput("assword: ", kWait), client->output());
        const bool isNew = client->output().find("New password: ") != std::string::npos;
        client->send(std::string(kPassword) + "\r");
        if (isNew) {
            BOOST_TEST_REQUIRE(client->waitForOutput("Repeat the password: ", kWait),
                               client->output());
            client->send(std::string(kPassword) + "\r");
        }
        BOOST_TEST_REQUIRE(client->waitForOutput(kPrompt, kWait), client->output());
        return client;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(client_terminal)

BOOST_FIXTURE_TEST_CASE(never_echoes_the_password, TerminalFixture) {
    // A new account (asked twice), then the same account again (asked once).
    for (const char* expectedPrompt : {"New password: ", "Password: "}) {
        std::unique_ptr<ClientProcess> client = start();
        BOOST_TEST_REQUIRE(client->waitForOutput("Username: ", kWait), client->output());
        client->send("yoda\r");
        BOOST_TEST_REQUIRE(client->waitForOutput(expectedPrompt, kWait), client->output());
        client->send(std::string(kPassword) + "\r");
        if (std::string(expectedPrompt) == "New password: ") {
            BOOST_TEST_REQUIRE(client->waitForOutput("Repeat the password: ", kWait),
                               client->output());
            client->send(std::string(kPassword) + "\r");
        }
        BOOST_TEST_REQUIRE(client->waitForOutput(kPrompt, kWait), client->output());
        BOOST_TEST(client->output().find("yoda") != std::string::npos);  // the name is echoed
        BOOST_TEST(client->output().find(std::string(kPassword)) == std::string::npos,
                   client->output());
        BOOST_TEST(client->output().find("battery") == std::string::npos);
        client->send("XIT\r");
        const std::optional<int> status = client->waitExit(kWait);
        BOOST_TEST_REQUIRE(status.has_value());
        BOOST_TEST(*status == 0, client->output());
    }
}

BOOST_FIXTURE_TEST_CASE(asks_again_when_the_new_password_is_mistyped, TerminalFixture) {
    std::unique_ptr<ClientProcess> client = start();
    BOOST_TEST_REQUIRE(client->waitForOutput("Username: ", kWait), client->output());
    client->send("yoda\r");
    BOOST_TEST_REQUIRE(client->waitForOutput("New password: ", kWait), client->output());
    client->send("first try\r");
    BOOST_TEST_REQUIRE(client->waitForOutput("Repeat the password: ", kWait), client->output());
    client->send("first trx\r");
    const std::size_t at = await(*client, "differ");
    await(*client, "New password: ", at);
}

BOOST_FIXTURE_TEST_CASE(ends_at_the_prompt_when_the_server_shuts_down, TerminalFixture) {
    std::unique_ptr<ClientProcess> client = loggedInClient();
    const std::size_t mark = client->output().size();
    client->send("MSG jedi half typed");  // no Enter: the user is still typing
    await(*client, "half typed", mark);

    LineClient admin = connect("admin");
    admin.expect("SHT " + std::string(kAdminPassword), 250);
    const auto shutdownSent = std::chrono::steady_clock::now();
    const std::optional<int> status = client->waitExit(kWait);
    const auto took = std::chrono::steady_clock::now() - shutdownSent;
    BOOST_TEST_REQUIRE(status.has_value(), "still at the prompt after the 600");
    BOOST_TEST(*status == 2, client->output());
    BOOST_TEST(client->output().find("The server is shutting down", mark) != std::string::npos,
               client->output());
    // protocol.md §5: idle sessions get the 600 within 200 ms, and the client must leave
    // within a second of it.
    BOOST_TEST(took < 1s, std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                              << " ms");
}

BOOST_FIXTURE_TEST_CASE(clears_the_line_on_ctrl_c_and_leaves_on_ctrl_d, TerminalFixture) {
    std::unique_ptr<ClientProcess> client = loggedInClient();
    std::size_t at = client->output().size();
    client->send("CRT oops");
    at = await(*client, "oops", at);
    client->send("\x03");
    at = await(*client, "^C", at);
    at = await(*client, kPrompt, at);
    client->send("LST\r");
    at = await(*client, "No threads yet", at);  // so the CRT was never sent
    at = await(*client, kPrompt, at);
    client->send("\x04");
    const std::optional<int> status = client->waitExit(kWait);
    BOOST_TEST_REQUIRE(status.has_value());
    BOOST_TEST(*status == 0, client->output());
    BOOST_TEST(client->output().find("Goodbye", at) != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(completes_verbs_and_titles_with_tab, TerminalFixture) {
    std::unique_ptr<ClientProcess> client = loggedInClient();
    std::size_t at = client->output().size();
    client->send("CRT jedi-archives\r");
    at = await(*client, "Thread jedi-archives created", at);
    at = await(*client, kPrompt, at);
    // "rd" + Tab completes to "rdt ", then "je" + Tab to the one title it can be. libedit
    // redraws with cursor movements, so the proof is in the answer, not in the echo.
    client->send("rd\tje\t\r");
    at = await(*client, "Thread jedi-archives is empty", at);
    client->send("XIT\r");
    BOOST_TEST(client->waitExit(kWait).value_or(-1) == 0);
}

BOOST_FIXTURE_TEST_CASE(keeps_history_in_home_but_never_the_admin_password, TerminalFixture) {
    std::unique_ptr<ClientProcess> client = loggedInClient();
    std::size_t at = client->output().size();
    client->send("LST\r");
    at = await(*client, "No threads yet", at);
    at = await(*client, kPrompt, at);
    client->send("SHT wrong guess\r");
    at = await(*client, "Wrong admin password", at);
    at = await(*client, kPrompt, at);
    client->send("XIT\r");
    BOOST_TEST_REQUIRE(client->waitExit(kWait).value_or(-1) == 1);  // the SHT was refused

    const fs::path history = home() / ".dfp_history";
    BOOST_TEST_REQUIRE(fs::exists(history));
    std::ifstream in(history, std::ios::binary);
    const std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    BOOST_TEST(content.find("LST") != std::string::npos, content);
    BOOST_TEST(content.find("wrong") == std::string::npos, content);
    BOOST_TEST(content.find("battery") == std::string::npos, content);
    struct stat info {};
    BOOST_TEST_REQUIRE(::stat(history.c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600u);
}

BOOST_AUTO_TEST_SUITE_END()
