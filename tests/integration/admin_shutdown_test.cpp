// dfp-admin shutdown against the real server: SHT with the right password stops it (exit 0
// from both), a wrong one changes nothing.

#include <filesystem>
#include <fstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "support/admin_runner.h"
#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

std::filesystem::path writePasswordFile(const std::filesystem::path& path,
                                        const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

std::string portOption(std::uint16_t port) {
    return "--port=" + std::to_string(port);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_shutdown)

BOOST_FIXTURE_TEST_CASE(stops_the_server_with_the_password_from_a_file, StartedServer) {
    LineClient idle = loggedIn("yoda");
    const auto file = writePasswordFile(tempPath() / "pw", std::string(kAdminPassword) + "\n");
    const ClientRun run = runAdminBinary({dataDirOption(dataDir()), "shutdown", portOption(port()),
                                          "--admin-password-file=" + file.string()});
    BOOST_TEST(run.status == 0, describeRun(run));
    BOOST_TEST(run.out == "127.0.0.1:" + std::to_string(port()) +
                              " is shutting down (250 shutting down)\n",
               describeRun(run));
    idle.setTimeout(10s);
    BOOST_TEST(idle.readStatus().code == 600);
    idle.expectClosed();
    const ExitStatus status = server().expectExit();
    BOOST_TEST(status.isCleanZero(), status.describe());
}

BOOST_FIXTURE_TEST_CASE(stops_the_server_with_the_password_from_the_environment, StartedServer) {
    const ClientRun run =
        runAdminBinary({dataDirOption(dataDir()), "--json", "shutdown", portOption(port())}, "",
                       {{"DFP_ADMIN_PASSWORD", std::string(kAdminPassword)}});
    BOOST_TEST(run.status == 0, describeRun(run));
    BOOST_TEST(run.out.find("\"result\":\"accepted\"") != std::string::npos, describeRun(run));
    BOOST_TEST(server().expectExit().isCleanZero());
}

BOOST_FIXTURE_TEST_CASE(fails_with_a_wrong_password_and_the_server_keeps_running, StartedServer) {
    const auto file = writePasswordFile(tempPath() / "wrong", "not the password\n");
    const ClientRun run = runAdminBinary({dataDirOption(dataDir()), "shutdown", portOption(port()),
                                          "--admin-password-file=" + file.string()});
    BOOST_TEST(run.status == 1, describeRun(run));
    BOOST_TEST(run.err.find("refused the shutdown: 403") != std::string::npos, describeRun(run));
    BOOST_TEST(run.out.empty(), describeRun(run));
    BOOST_TEST(server().running());
    LineClient client = connect();
    BOOST_TEST(client.request("PING").code == 200);
    BOOST_TEST(!server().waitExit(0ms).has_value());
}

BOOST_FIXTURE_TEST_CASE(fails_clearly_when_no_server_listens, ServerFixture) {
    std::uint16_t port = 0;
    {
        ServerProcess& server = start();
        port = server.port();
        stop();
    }
    const ClientRun run = runAdminBinary({dataDirOption(dataDir()), "shutdown", portOption(port)},
                                         "", {{"DFP_ADMIN_PASSWORD", "whatever"}});
    BOOST_TEST(run.status == 1, describeRun(run));
    BOOST_TEST(run.err.find("cannot reach 127.0.0.1:" + std::to_string(port)) != std::string::npos,
               describeRun(run));
}

BOOST_AUTO_TEST_SUITE_END()
