// shutdown against a scripted server on a real socket: the SHT line it sends, how it reads
// the answer (notices included), where the password comes from, and its exit status.

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <boost/test/unit_test.hpp>

#include "admin_fixture.h"

using dfp::test::AdminFixture;
using dfp::test::parseJson;
using dfp::test::writeFile;

namespace {

const Poco::Timespan kDeadline(10, 0);

// Accepts one connection, sends greeting, reads one line, sends answer, closes. Every wait
// has kDeadline; what went wrong is kept for received().
class ScriptedServer {
public:
    ScriptedServer(std::string greeting, std::string answer)
        : greeting_(std::move(greeting)), answer_(std::move(answer)) {
        socket_.bind(Poco::Net::SocketAddress("127.0.0.1", 0), /*reuseAddress=*/true,
                     /*reusePort=*/false);
        socket_.listen();
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptedServer() {
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    std::uint16_t port() const { return socket_.address().port(); }

    // The line the client sent (without LF), once the exchange is over.
    std::string received() {
        thread_.join();
        BOOST_REQUIRE_MESSAGE(error_.empty(), error_);
        return line_;
    }

private:
    void serve() {
        try {
            if (!socket_.poll(kDeadline, Poco::Net::Socket::SELECT_READ)) {
                error_ = "nobody connected";
                return;
            }
            Poco::Net::StreamSocket connection = socket_.acceptConnection();
            connection.setReceiveTimeout(kDeadline);
            connection.sendBytes(greeting_.data(), static_cast<int>(greeting_.size()));
            std::string buffer;
            char chunk[256];
            while (buffer.find('\n') == std::string::npos) {
                const int got = connection.receiveBytes(chunk, sizeof chunk);
                if (got <= 0) {
                    break;
                }
                buffer.append(chunk, static_cast<std::size_t>(got));
            }
            line_ = buffer.substr(0, buffer.find('\n'));
            if (!answer_.empty()) {
                connection.sendBytes(answer_.data(), static_cast<int>(answer_.size()));
            }
            connection.shutdown();
        } catch (const std::exception& e) {
            error_ = e.what();
        }
    }

    Poco::Net::ServerSocket socket_;
    std::string greeting_;
    std::string answer_;
    std::string line_;
    std::string error_;
    std::thread thread_;
};

std::string portOption(const ScriptedServer& server) {
    return "--port=" + std::to_string(server.port());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_shutdown_command)

BOOST_AUTO_TEST_CASE(sends_sht_with_the_password_file_and_exits_0_on_250) {
    AdminFixture fixture;
    const auto passwordFile = fixture.dataDir().parent_path() / "admin-password";
    // Inner and trailing spaces belong to the password; one CRLF at the end does not.
    writeFile(passwordFile, " open  sesame \r\n");
    ScriptedServer server("200 DFP/1 fake ready\n", "250 shutting down\n");
    const auto run = fixture.run(
        {"shutdown", portOption(server), "--admin-password-file=" + passwordFile.string()});
    BOOST_TEST(server.received() == "SHT  open  sesame ");
    BOOST_TEST(run.status == 0, run);
    BOOST_TEST(run.out == "127.0.0.1:" + std::to_string(server.port()) +
                              " is shutting down (250 shutting down)\n");
}

BOOST_AUTO_TEST_CASE(reads_past_notices_to_the_answer) {
    AdminFixture fixture;
    fixture.environment["DFP_ADMIN_PASSWORD"] = "from env";
    ScriptedServer server("601 a notice before the greeting\n200 DFP/1 fake ready\n",
                          "600 another notice\n250 shutting down\n");
    const auto run = fixture.run({"--json", "shutdown", portOption(server)});
    BOOST_TEST(server.received() == "SHT from env");
    BOOST_TEST(run.status == 0, run);
    const auto document = parseJson(run.out);
    BOOST_TEST(document->getValue<std::string>("result") == "accepted");
    BOOST_TEST(document->getValue<int>("code") == 250);
    const auto notices = document->getArray("notices");
    BOOST_REQUIRE_EQUAL(notices->size(), 2u);
    BOOST_TEST(notices->getElement<std::string>(0) == "601 a notice before the greeting");
    BOOST_TEST(notices->getElement<std::string>(1) == "600 another notice");
}

BOOST_AUTO_TEST_CASE(exits_1_when_the_server_refuses) {
    AdminFixture fixture;
    fixture.environment["DFP_ADMIN_PASSWORD"] = "wrong";
    ScriptedServer server("200 DFP/1 fake ready\n", "403 wrong admin password\n");
    const auto run = fixture.run({"shutdown", portOption(server)});
    BOOST_TEST(server.received() == "SHT wrong");
    BOOST_TEST(run.status == 1, run);
    BOOST_TEST(run.err.find("refused the shutdown: 403 wrong admin password") != std::string::npos,
               run);
    BOOST_TEST(run.out.empty());
}

BOOST_AUTO_TEST_CASE(exits_1_when_the_server_is_busy_or_closes_without_answering) {
    AdminFixture fixture;
    fixture.environment["DFP_ADMIN_PASSWORD"] = "pw";
    {
        ScriptedServer busy("503 server busy\n", "");
        const auto run = fixture.run({"shutdown", portOption(busy)});
        (void)busy.received();
        BOOST_TEST(run.status == 1, run);
        BOOST_TEST(run.err.find("is not taking requests: 503 server busy") != std::string::npos,
                   run);
    }
    {
        ScriptedServer silent("200 DFP/1 fake ready\n", "");
        const auto run = fixture.run({"shutdown", portOption(silent)});
        BOOST_TEST(silent.received() == "SHT pw");
        BOOST_TEST(run.status == 1, run);
        BOOST_TEST(run.err.find("closed the connection before answering SHT") != std::string::npos,
                   run);
    }
    {
        ScriptedServer garbled("HTTP/1.1 400 Bad Request\n", "");
        const auto run = fixture.run({"shutdown", portOption(garbled)});
        (void)garbled.received();
        BOOST_TEST(run.status == 1, run);
        BOOST_TEST(run.err.find("does not speak DFP/1") != std::string::npos, run);
    }
}

BOOST_AUTO_TEST_CASE(exits_1_when_nothing_listens) {
    AdminFixture fixture;
    fixture.environment["DFP_ADMIN_PASSWORD"] = "pw";
    std::uint16_t port = 0;
    {
        Poco::Net::ServerSocket closed;
        closed.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
        port = closed.address().port();
    }
    const auto run = fixture.run({"shutdown", "--port=" + std::to_string(port)});
    BOOST_TEST(run.status == 1, run);
    BOOST_TEST(run.err.find("cannot reach 127.0.0.1:" + std::to_string(port)) != std::string::npos,
               run);
}

BOOST_AUTO_TEST_CASE(refuses_a_ca_file_without_tls_as_a_usage_error) {
    AdminFixture fixture;
    fixture.environment["DFP_ADMIN_PASSWORD"] = "pw";
    const auto run = fixture.run({"shutdown", "--port=1", "--ca-file=ca.pem"});
    BOOST_TEST(run.status == 2, run);
    BOOST_TEST(run.err.find("--ca-file is for TLS: add --tls") != std::string::npos, run);
}

BOOST_AUTO_TEST_CASE(with_tls_sends_nothing_to_a_plain_server) {
    AdminFixture fixture;
    fixture.environment["DFP_ADMIN_PASSWORD"] = "pw";
    ScriptedServer plain("200 DFP/1 test ready\n", "250 shutting down\n");
    const auto run = fixture.run({"shutdown", portOption(plain), "--tls"});
    BOOST_TEST(run.status == 1, run);
    BOOST_TEST(run.err.find("does not speak TLS (it sent a plain DFP greeting); drop --tls") !=
                   std::string::npos,
               run);
}

BOOST_AUTO_TEST_CASE(finds_the_password_file_then_the_environment_then_the_data_dir_then_asks) {
    AdminFixture fixture;
    std::filesystem::create_directories(fixture.dataDir());
    writeFile(fixture.dataDir() / "admin-password", "generated\n");
    {
        ScriptedServer server("200 DFP/1 fake ready\n", "250 shutting down\n");
        BOOST_TEST(fixture.run({"shutdown", portOption(server)}).status == 0);
        BOOST_TEST(server.received() == "SHT generated");
    }
    fixture.environment["DFP_ADMIN_PASSWORD"] = "environment";
    {
        ScriptedServer server("200 DFP/1 fake ready\n", "250 shutting down\n");
        BOOST_TEST(fixture.run({"shutdown", portOption(server)}).status == 0);
        BOOST_TEST(server.received() == "SHT environment");
    }
    std::filesystem::remove(fixture.dataDir() / "admin-password");
    fixture.environment.clear();
    fixture.secrets.terminal = true;
    fixture.secrets.lines = {"typed"};
    {
        ScriptedServer server("200 DFP/1 fake ready\n", "250 shutting down\n");
        BOOST_TEST(fixture.run({"shutdown", portOption(server)}).status == 0);
        BOOST_TEST(server.received() == "SHT typed");
        BOOST_TEST(fixture.secrets.prompts.size() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(refuses_without_a_usable_password_and_sends_nothing) {
    AdminFixture fixture;
    const auto none = fixture.run({"shutdown", "--port=1"});
    BOOST_TEST(none.status == 1, none);
    BOOST_TEST(none.err.find("no admin password: give --admin-password-file") != std::string::npos,
               none);
    const auto missing =
        fixture.run({"shutdown", "--port=1", "--admin-password-file=/nonexistent"});
    BOOST_TEST(missing.status == 1, missing);
    BOOST_TEST(missing.err.find("cannot read the admin password file") != std::string::npos,
               missing);
    const auto twoLines = fixture.dataDir().parent_path() / "two-lines";
    writeFile(twoLines, "one\ntwo\n");
    const auto broken =
        fixture.run({"shutdown", "--port=1", "--admin-password-file=" + twoLines.string()});
    BOOST_TEST(broken.status == 1, broken);
    BOOST_TEST(broken.err.find("contains a line break") != std::string::npos, broken);
}

BOOST_AUTO_TEST_SUITE_END()
