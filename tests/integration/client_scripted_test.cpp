// The real dfp-client in scripted mode (stdin not a terminal) against the real server
// (docs/client.md): byte-exact transfers, refusals on stderr, and the exit status: 0 all
// succeeded, 1 something was refused, 2 the connection failed or the server went away.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/client_process.h"
#include "support/server_fixture.h"

using namespace dfp::test;
namespace fs = std::filesystem;

namespace {

const std::string kUser = "yoda";

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// The username and password lines, then the commands, one a line.
std::string script(const std::vector<std::string>& commands) {
    std::string text = kUser + "\n" + std::string(kPassword) + "\n";
    for (const std::string& command : commands) {
        text += command + "\n";
    }
    return text;
}

struct ClientFixture : StartedServer {
    ClientFixture() {
        fs::create_directories(files());
        fs::create_directories(out());
    }
    fs::path files() const { return tempPath() / "files"; }
    fs::path out() const { return tempPath() / "out"; }

    ClientLaunch launch(std::vector<std::string> options = {}) const {
        ClientLaunch client;
        client.binary = DFP_CLIENT_PATH;
        client.args = std::move(options);
        client.args.push_back("--out=" + out().string());
        client.args.push_back("127.0.0.1");
        client.args.push_back(std::to_string(port()));
        client.workDir = tempPath();
        client.env = {{"HOME", tempPath().string()}};
        return client;
    }

    ClientRun run(const std::vector<std::string>& commands, std::vector<std::string> options = {}) {
        return runClientScript(launch(std::move(options)), script(commands));
    }
};

// A port nothing listens on: bound for a moment to learn a free one, then closed.
std::uint16_t closedPort() {
    const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(sock);
    return ntohs(address.sin_port);
}

std::string describe(const ClientRun& run) {
    return "status " + std::to_string(run.status) + "\nstdout:\n" + run.out + "stderr:\n" + run.err;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_scripted)

BOOST_FIXTURE_TEST_CASE(round_trips_every_byte_value_through_upd_and_dwn, ClientFixture) {
    const std::string bytes = everyByteValue(4096) + "tail\r\n.\n";  // 1 MiB and a bit
    writeFile(files() / "all.bin", bytes);
    const ClientRun run = this->run(
        {"CRT jedi", "UPD jedi " + (files() / "all.bin").string(), "DWN jedi all.bin", "XIT"});
    BOOST_TEST(run.status == 0, describe(run));
    BOOST_TEST(readFile(out() / "all.bin") == bytes);
    BOOST_TEST(run.out.find("Thread jedi created") != std::string::npos, run.out);
    BOOST_TEST(run.out.find("File all.bin uploaded to jedi") != std::string::npos, run.out);
    BOOST_TEST(run.out.find("sha256 verified") != std::string::npos, run.out);
    BOOST_TEST(run.err.empty(), run.err);
    BOOST_TEST(run.err.find('\r') == std::string::npos);  // no progress bar in a script

    // What the server stored, read without the client: the same bytes.
    LineClient reader = loggedIn("obiwan");
    const Response header = reader.expect("DWN jedi all.bin", 211);
    BOOST_TEST(header.field(2) == sha256Hex(bytes));
    BOOST_TEST(reader.readBytes(bytes.size()) == bytes);
}

BOOST_FIXTURE_TEST_CASE(round_trips_an_empty_file, ClientFixture) {
    writeFile(files() / "empty.txt", "");
    const ClientRun run = this->run(
        {"CRT jedi", "UPD jedi " + (files() / "empty.txt").string(), "DWN jedi empty.txt"});
    BOOST_TEST(run.status == 0, describe(run));
    BOOST_TEST(fs::exists(out() / "empty.txt"));
    BOOST_TEST(fs::file_size(out() / "empty.txt") == 0u);
}

BOOST_FIXTURE_TEST_CASE(prints_results_in_words_and_keeps_message_text_exact, ClientFixture) {
    const ClientRun run =
        this->run({"crt jedi", "msg jedi  do or do not,  there is no try ", "LST", "RDT jedi"});
    BOOST_TEST(run.status == 0, describe(run));
    BOOST_TEST(run.out.find("Message #1 posted") != std::string::npos, run.out);
    BOOST_TEST(run.out.find("1 thread:\n  jedi\n") != std::string::npos, run.out);
    BOOST_TEST(run.out.find("  1 yoda: do or do not,  there is no try \n") != std::string::npos,
               run.out);
}

BOOST_FIXTURE_TEST_CASE(exits_1_when_a_command_is_refused_and_runs_the_rest, ClientFixture) {
    const ClientRun run =
        this->run({"CRT jedi", "CRT jedi", "RDT sith", "BOGUS", "MSG jedi after"});
    BOOST_TEST(run.status == 1, describe(run));
    BOOST_TEST(run.err.find("Thread jedi already exists") != std::string::npos, run.err);
    BOOST_TEST(run.err.find("No thread sith") != std::string::npos, run.err);
    BOOST_TEST(run.err.find("Unknown command BOGUS") != std::string::npos, run.err);
    BOOST_TEST(run.out.find("Message #1 posted") != std::string::npos, run.out);
    BOOST_TEST(run.out.find("already exists") == std::string::npos);  // refusals on stderr only
}

BOOST_FIXTURE_TEST_CASE(exits_1_when_the_login_is_refused, ClientFixture) {
    loggedIn(kUser).expect("XIT", 221);
    const ClientRun run = runClientScript(launch(), kUser + "\nnot the password\nLST\n");
    BOOST_TEST(run.status == 1, describe(run));
    BOOST_TEST(run.err.find("Wrong password for yoda") != std::string::npos, run.err);
}

BOOST_FIXTURE_TEST_CASE(takes_the_password_from_the_environment_or_a_file, ClientFixture) {
    ClientLaunch fromEnvironment = launch({"--user=" + kUser});
    fromEnvironment.env.emplace_back("DFP_PASSWORD", std::string(kPassword));
    const ClientRun first = runClientScript(fromEnvironment, "CRT jedi\n");
    BOOST_TEST(first.status == 0, describe(first));

    writeFile(files() / "password", std::string(kPassword) + "\r\n");
    const ClientRun second = runClientScript(
        launch({"--user", kUser, "--password-file=" + (files() / "password").string()}), "LST\n");
    BOOST_TEST(second.status == 0, describe(second));
    BOOST_TEST(second.out.find("Logged in as yoda") != std::string::npos, second.out);
    BOOST_TEST(second.out.find("  jedi") != std::string::npos, second.out);
}

BOOST_FIXTURE_TEST_CASE(refuses_to_overwrite_a_download_unless_forced, ClientFixture) {
    writeFile(files() / "a.txt", "from the forum");
    writeFile(out() / "a.txt", "mine");
    const ClientRun refused =
        this->run({"CRT jedi", "UPD jedi " + (files() / "a.txt").string(), "DWN jedi a.txt"});
    BOOST_TEST(refused.status == 1, describe(refused));
    BOOST_TEST(refused.err.find("already exists") != std::string::npos, refused.err);
    BOOST_TEST(readFile(out() / "a.txt") == "mine");

    const ClientRun forced = this->run({"DWN jedi a.txt --force"});
    BOOST_TEST(forced.status == 0, describe(forced));
    BOOST_TEST(readFile(out() / "a.txt") == "from the forum");

    writeFile(out() / "a.txt", "mine again");
    const ClientRun overwriting = this->run({"DWN jedi a.txt"}, {"--overwrite"});
    BOOST_TEST(overwriting.status == 0, describe(overwriting));
    BOOST_TEST(readFile(out() / "a.txt") == "from the forum");
    // Never a partial or temp file left behind.
    BOOST_TEST(std::distance(fs::directory_iterator(out()), fs::directory_iterator()) == 1);
}

BOOST_FIXTURE_TEST_CASE(refuses_a_missing_local_file_without_sending_it, ClientFixture) {
    const ClientRun run = this->run({"CRT jedi", "UPD jedi " + (files() / "nope").string(), "LST"});
    BOOST_TEST(run.status == 1, describe(run));
    BOOST_TEST(run.err.find("Cannot upload") != std::string::npos, run.err);
    BOOST_TEST(run.out.find("  jedi") != std::string::npos, run.out);
}

BOOST_AUTO_TEST_CASE(exits_2_when_the_connection_is_refused) {
    ClientLaunch client;
    client.binary = DFP_CLIENT_PATH;
    client.args = {"127.0.0.1", std::to_string(closedPort())};
    const ClientRun run = runClientScript(client, "yoda\npw\nLST\n");
    BOOST_TEST(run.status == 2, describe(run));
    BOOST_TEST(run.err.find("Cannot connect to 127.0.0.1:") != std::string::npos, run.err);
}

BOOST_FIXTURE_TEST_CASE(exits_2_when_the_server_is_busy, ServerFixture) {
    start({"--max-sessions=1"});
    LineClient holder = connect("holder");  // the one session there is room for
    ClientLaunch client;
    client.binary = DFP_CLIENT_PATH;
    client.args = {"127.0.0.1", std::to_string(port())};
    const ClientRun run = runClientScript(client, "yoda\npw\nLST\n");
    BOOST_TEST(run.status == 2, describe(run));
    BOOST_TEST(run.err.find("cannot take the session") != std::string::npos, run.err);
}

BOOST_FIXTURE_TEST_CASE(exits_2_when_the_server_shuts_down_while_the_script_waits, ClientFixture) {
    ClientProcess client(launch());
    client.send(script({"CRT jedi"}));  // and no end of input: the script is still "running"
    BOOST_TEST_REQUIRE(client.waitForOutput("Thread jedi created", 10s), client.output());

    LineClient admin = connect("admin");
    admin.expect("SHT " + std::string(kAdminPassword), 250);
    const auto shutdownSent = std::chrono::steady_clock::now();
    const std::optional<int> status = client.waitExit(10s);
    const auto took = std::chrono::steady_clock::now() - shutdownSent;
    BOOST_TEST_REQUIRE(status.has_value(), "still running after the 600");
    BOOST_TEST(*status == 2, client.errors());
    BOOST_TEST(client.errors().find("The server is shutting down") != std::string::npos,
               client.errors());
    BOOST_TEST(took < 2s);
    BOOST_TEST(server().expectExit().isCleanZero());
}

BOOST_FIXTURE_TEST_CASE(exits_2_when_the_server_vanishes, ClientFixture) {
    ClientProcess client(launch());
    client.send(script({"CRT jedi"}));
    BOOST_TEST_REQUIRE(client.waitForOutput("Thread jedi created", 10s), client.output());
    server().terminate(SIGKILL);
    const std::optional<int> status = client.waitExit(10s);
    BOOST_TEST_REQUIRE(status.has_value(), "still running after the server died");
    BOOST_TEST(*status == 2, client.errors());
    BOOST_TEST(client.errors().find("closed the connection") != std::string::npos, client.errors());
}

BOOST_FIXTURE_TEST_CASE(exits_0_after_shutting_the_server_down_itself, ClientFixture) {
    const ClientRun run = this->run({"SHT " + std::string(kAdminPassword)});
    BOOST_TEST(run.status == 0, describe(run));
    BOOST_TEST(run.out.find("The server is shutting down") != std::string::npos, run.out);
    BOOST_TEST(server().expectExit().isCleanZero());
}

BOOST_FIXTURE_TEST_CASE(exits_1_on_a_wrong_admin_password, ClientFixture) {
    const ClientRun run = this->run({"SHT not it", "PING"});
    BOOST_TEST(run.status == 1, describe(run));
    BOOST_TEST(run.err.find("Wrong admin password") != std::string::npos, run.err);
    BOOST_TEST(run.out.find("pong") != std::string::npos, run.out);
}

BOOST_AUTO_TEST_SUITE_END()
