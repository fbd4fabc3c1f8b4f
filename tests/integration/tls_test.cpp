// TLS (protocol.md §9) end to end: the real dfp-server with --tls-cert/--tls-key, and the real
// dfp-client and dfp-admin with --tls, against certificates made for each test with the openssl
// tool (support/test_certificates.h). A good certificate works; an unknown CA, a wrong host
// name, a plain peer on either side and an unusable key each end in a clear message and a
// non-zero exit, within the timeouts given, and leave a running server serving.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "support/admin_runner.h"
#include "support/client_process.h"
#include "support/server_fixture.h"
#include "support/test_certificates.h"

using namespace dfp::test;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kUser = "yoda";

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

std::string script(const std::vector<std::string>& commands) {
    std::string text = kUser + "\n" + std::string(kPassword) + "\n";
    for (const std::string& command : commands) {
        text += command + "\n";
    }
    return text;
}

struct TlsFixture : ServerFixture {
    TlsFixture() : certs(tempPath() / "certs") {}

    std::vector<std::string> tlsServerArgs() const {
        return {"--tls-cert=" + certs.serverCert().string(),
                "--tls-key=" + certs.serverKey().string()};
    }

    ClientRun runClient(std::vector<std::string> options, const std::string& input,
                        const std::string& host = "127.0.0.1") {
        ClientLaunch client;
        client.binary = DFP_CLIENT_PATH;
        client.args = std::move(options);
        client.args.push_back(host);
        client.args.push_back(std::to_string(port()));
        return runClientScript(std::move(client), input);
    }

    ClientRun runAdmin(std::vector<std::string> options) {
        std::vector<std::string> args = {dataDirOption(dataDir()), "shutdown",
                                         "--port=" + std::to_string(port())};
        args.insert(args.end(), options.begin(), options.end());
        return runAdminBinary(std::move(args), "",
                              {{"DFP_ADMIN_PASSWORD", std::string(kAdminPassword)}});
    }

    std::string caOption() const { return "--ca-file=" + certs.caCert().string(); }

    // A whole logged-in session over TLS; the server is still serving.
    void expectWorkingTlsSession() {
        const ClientRun run = runClient({"--tls", caOption()}, script({"LST"}));
        BOOST_TEST(run.status == 0, describeRun(run));
    }

    TestCertificates certs;
};

struct TlsServer : TlsFixture {
    TlsServer() { start(tlsServerArgs()); }
};

// Connects a plain TCP socket to 127.0.0.1:port.
int connectPlain(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    BOOST_TEST_REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_TEST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return fd;
}

// Everything the peer sends until it closes; throws if it has not closed by the deadline.
std::string readUntilClosed(int fd, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string received;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd pfd{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) == 0) {
            throw std::runtime_error("the server did not close the connection in time; got " +
                                     printable(received));
        }
        char buffer[4096];
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) {
            return received;  // closed, or reset
        }
        received.append(buffer, static_cast<std::size_t>(got));
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_FIXTURE_TEST_CASE(good_certificate_serves_a_session_and_admin_shutdown, TlsServer) {
    BOOST_TEST(contains(server().log(), "tls=on"), server().log());
    const ClientRun run =
        runClient({"--tls", caOption()}, script({"CRT hello", "MSG hello hi there", "RDT hello"}));
    BOOST_TEST(run.status == 0, describeRun(run));
    BOOST_TEST(contains(run.out, "Thread hello created"), describeRun(run));
    BOOST_TEST(contains(run.out, "Message #1 posted"), describeRun(run));
    BOOST_TEST(contains(run.out, "1 yoda: hi there"), describeRun(run));
    BOOST_TEST(run.err.empty(), describeRun(run));

    // The certificate names DNS localhost too.
    const ClientRun byName = runClient({"--tls", caOption()}, script({"LST"}), "localhost");
    BOOST_TEST(byName.status == 0, describeRun(byName));
    BOOST_TEST(contains(byName.out, "hello"), describeRun(byName));

    const ClientRun admin = runAdmin({"--tls", caOption()});
    BOOST_TEST(admin.status == 0, describeRun(admin));
    BOOST_TEST(contains(admin.out, "is shutting down (250 shutting down)"), describeRun(admin));
    const ExitStatus status = server().expectExit();
    BOOST_TEST(status.isCleanZero(), status.describe());
}

BOOST_FIXTURE_TEST_CASE(files_cross_tls_byte_for_byte, TlsServer) {
    // Larger than a TLS record (16 KiB) and than the client's send chunks, every byte value.
    const std::string bytes = everyByteValue(4 * 1024);
    const fs::path upload = tempPath() / "all.bin";
    const fs::path out = tempPath() / "out";
    fs::create_directories(out);
    std::ofstream(upload, std::ios::binary) << bytes;
    const ClientRun run =
        runClient({"--tls", caOption(), "--out=" + out.string()},
                  script({"CRT jedi", "UPD jedi " + upload.string(), "DWN jedi all.bin"}));
    BOOST_TEST(run.status == 0, describeRun(run));
    std::ifstream in(out / "all.bin", std::ios::binary);
    const std::string downloaded{std::istreambuf_iterator<char>(in),
                                 std::istreambuf_iterator<char>()};
    BOOST_TEST(downloaded.size() == bytes.size());
    BOOST_TEST((downloaded == bytes));
}

BOOST_FIXTURE_TEST_CASE(an_idle_tls_client_hears_the_shutdown_notice, TlsServer) {
    ClientLaunch launch;
    launch.binary = DFP_CLIENT_PATH;
    launch.args = {"--tls", caOption(), "127.0.0.1", std::to_string(port())};
    ClientProcess client(launch);
    client.send(script({"CRT jedi"}));  // no end of input: the script waits for more
    BOOST_TEST_REQUIRE(client.waitForOutput("Thread jedi created", 10s), client.output());

    const ClientRun admin = runAdmin({"--tls", caOption()});
    BOOST_TEST(admin.status == 0, describeRun(admin));
    const auto shutdownSent = Clock::now();
    const std::optional<int> status = client.waitExit(10s);
    const auto took = Clock::now() - shutdownSent;
    BOOST_TEST_REQUIRE(status.has_value(), "still running after the 600");
    BOOST_TEST(*status == 2, client.errors());
    BOOST_TEST(contains(client.errors(), "The server is shutting down"), client.errors());
    // The 600 itself, through TLS: well before the drain deadline (5 s) would cut it off.
    BOOST_TEST(took < 2s);
    BOOST_TEST(server().expectExit().isCleanZero());
}

BOOST_FIXTURE_TEST_CASE(unknown_ca_is_refused_and_the_server_keeps_serving, TlsServer) {
    const ClientRun other =
        runClient({"--tls", "--ca-file=" + certs.otherCaCert().string()}, script({"LST"}));
    BOOST_TEST(other.status == 2, describeRun(other));
    BOOST_TEST(contains(other.err, "TLS: the server's certificate is not trusted by " +
                                       certs.otherCaCert().string()),
               describeRun(other));
    BOOST_TEST(!contains(other.out, "Welcome"), describeRun(other));

    // The system's store does not know the test CA either.
    const ClientRun system = runClient({"--tls"}, script({"LST"}));
    BOOST_TEST(system.status == 2, describeRun(system));
    BOOST_TEST(contains(system.err, "TLS: the server's certificate is not trusted ("),
               describeRun(system));
    BOOST_TEST(contains(system.err, "pass --ca-file"), describeRun(system));

    const ClientRun admin = runAdmin({"--tls", "--ca-file=" + certs.otherCaCert().string()});
    BOOST_TEST(admin.status == 1, describeRun(admin));
    BOOST_TEST(contains(admin.err, "TLS: the server's certificate is not trusted"),
               describeRun(admin));

    BOOST_TEST(server().running());
    BOOST_TEST(server().waitForLog("reason=tls-handshake-failed"), server().log());
    expectWorkingTlsSession();
}

BOOST_FIXTURE_TEST_CASE(wrong_host_name_is_refused, TlsFixture) {
    start({"--tls-cert=" + certs.wrongHostCert().string(),
           "--tls-key=" + certs.wrongHostKey().string()});
    const ClientRun run = runClient({"--tls", caOption()}, script({"LST"}));
    BOOST_TEST(run.status == 2, describeRun(run));
    BOOST_TEST(contains(run.err,
                        "TLS: the server's certificate is not valid for host 127.0.0.1 "
                        "(hostname mismatch)"),
               describeRun(run));

    const ClientRun byName = runClient({"--tls", caOption()}, script({"LST"}), "localhost");
    BOOST_TEST(byName.status == 2, describeRun(byName));
    BOOST_TEST(contains(byName.err, "not valid for host localhost (hostname mismatch)"),
               describeRun(byName));

    const ClientRun admin = runAdmin({"--tls", caOption()});
    BOOST_TEST(admin.status == 1, describeRun(admin));
    BOOST_TEST(contains(admin.err, "not valid for host 127.0.0.1 (hostname mismatch)"),
               describeRun(admin));
    BOOST_TEST(server().running());
}

BOOST_FIXTURE_TEST_CASE(plain_client_to_a_tls_server_gives_up_within_its_timeout, TlsServer) {
    const auto started = Clock::now();
    const ClientRun run = runClient({"--timeout=2"}, script({"LST"}));
    const auto took = Clock::now() - started;
    BOOST_TEST(run.status == 2, describeRun(run));
    BOOST_TEST(contains(run.err,
                        "The server sent no greeting within 2 s; if it serves TLS, add "
                        "--tls"),
               describeRun(run));
    // The 2 s deadline, with room for a loaded machine, far below the server's own 60 s.
    BOOST_TEST(took < std::chrono::seconds(20));

    const ClientRun admin = runAdmin({"--timeout=2"});
    BOOST_TEST(admin.status == 1, describeRun(admin));
    BOOST_TEST(contains(admin.err, "if the server serves TLS, add --tls"), describeRun(admin));

    BOOST_TEST(server().running());
    expectWorkingTlsSession();
}

BOOST_FIXTURE_TEST_CASE(tls_client_to_a_plain_server_fails_cleanly, TlsFixture) {
    start();
    BOOST_TEST(contains(server().log(), "tls=off"), server().log());
    const ClientRun run = runClient({"--tls", caOption(), "--timeout=10"}, script({"LST"}));
    BOOST_TEST(run.status == 2, describeRun(run));
    BOOST_TEST(contains(run.err, "does not speak TLS (it sent a plain DFP greeting); drop --tls"),
               describeRun(run));

    const ClientRun admin = runAdmin({"--tls", caOption()});
    BOOST_TEST(admin.status == 1, describeRun(admin));
    BOOST_TEST(contains(admin.err, "does not speak TLS (it sent a plain DFP greeting)"),
               describeRun(admin));
    BOOST_TEST(server().running());
}

BOOST_FIXTURE_TEST_CASE(plain_bytes_to_a_tls_server_end_that_session_only, TlsServer) {
    const int fd = connectPlain(port());
    const std::string request = "USER x\n";
    BOOST_TEST_REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                       static_cast<ssize_t>(request.size()));
    std::string received;
    BOOST_CHECK_NO_THROW(received = readUntilClosed(fd, std::chrono::seconds(10)));
    ::close(fd);
    // At most a TLS alert record, never a DFP line.
    BOOST_TEST(!contains(received, "DFP/1"), printable(received));
    BOOST_TEST((received.empty() || received[0] == '\x15'), printable(received));
    BOOST_TEST(server().waitForLog("reason=tls-handshake-failed"), server().log());
    BOOST_TEST(server().running());
    expectWorkingTlsSession();
}

BOOST_FIXTURE_TEST_CASE(a_connection_silent_in_the_handshake_makes_way_under_the_prelogin_limit,
                        TlsFixture) {
    std::vector<std::string> args = tlsServerArgs();
    args.push_back("--max-prelogin-sessions=1");
    start(args);
    // Holds the one pre-login place from inside the handshake, saying nothing.
    const int silent = connectPlain(port());
    BOOST_TEST_REQUIRE(server().waitForLog("event=session-open session=1 "), server().log());
    // A real user takes the place; the registry cuts the silent one off from this other
    // thread (by its descriptor), long before the 60 s first-line deadline.
    expectWorkingTlsSession();
    BOOST_CHECK_NO_THROW(readUntilClosed(silent, std::chrono::seconds(10)));
    ::close(silent);
    BOOST_TEST(server().waitForLog("session=1 peer="), server().log());
    BOOST_TEST(server().waitForLog("reason=tls-handshake-failed"), server().log());
}

BOOST_FIXTURE_TEST_CASE(at_the_session_limit_the_acceptor_closes_without_a_word, TlsFixture) {
    std::vector<std::string> args = tlsServerArgs();
    args.push_back("--max-sessions=1");
    start(args);
    ClientLaunch launch;
    launch.binary = DFP_CLIENT_PATH;
    launch.args = {"--tls", caOption(), "127.0.0.1", std::to_string(port())};
    ClientProcess holder(launch);
    holder.send(script({"CRT jedi"}));  // and stays: the one session there is room for
    BOOST_TEST_REQUIRE(holder.waitForOutput("Thread jedi created", 10s), holder.output());

    const ClientRun refused = runClient({"--tls", caOption()}, script({"LST"}));
    BOOST_TEST(refused.status == 2, describeRun(refused));
    BOOST_TEST(contains(refused.err, "closed the connection during the handshake"),
               describeRun(refused));
    BOOST_TEST(server().waitForLog("reason=session-limit tls=on"), server().log());

    // The holder was never disturbed.
    holder.send("LST\n");
    BOOST_TEST(holder.waitForOutput("jedi", 10s, holder.output().find("created") + 1),
               holder.output());
    holder.closeInput();
    const std::optional<int> status = holder.waitExit(10s);
    BOOST_TEST_REQUIRE(status.has_value(), "the holder did not leave at the end of its script");
    BOOST_TEST(*status == 0, holder.errors());
}

BOOST_FIXTURE_TEST_CASE(server_with_an_unusable_key_does_not_start, TlsFixture) {
    struct Case {
        std::vector<std::string> args;
        std::string expected;
    };
    const fs::path missing = tempPath() / "no-such.key";
    const std::vector<Case> cases = {
        {{"--tls-cert=" + certs.serverCert().string(), "--tls-key=" + missing.string()},
         "cannot read the TLS key " + missing.string()},
        // A key, but not the certificate's.
        {{"--tls-cert=" + certs.serverCert().string(),
          "--tls-key=" + certs.wrongHostKey().string()},
         "cannot use the TLS key " + certs.wrongHostKey().string()},
        // Not a certificate at all.
        {{"--tls-cert=" + certs.serverKey().string(), "--tls-key=" + certs.serverKey().string()},
         "cannot use the TLS certificate " + certs.serverKey().string()},
        {{"--tls-cert=" + certs.serverCert().string()}, "tls-cert and tls-key go together"},
    };
    for (const Case& c : cases) {
        ServerProcess server(options(c.args));
        const ExitStatus status = server.expectExit(kStartupWait);
        BOOST_TEST(status.exited(), status.describe());
        BOOST_TEST(status.exitCode() != 0, status.describe());
        // The exit may be seen before the reader has drained the log pipe.
        BOOST_TEST(server.waitForLog(c.expected), server.log());
        const std::string log = server.log();
        BOOST_TEST(contains(log, "event=startup-failed error=\"" + c.expected), log);
        BOOST_TEST(!contains(log, "event=listening"), log);
    }
}

BOOST_AUTO_TEST_SUITE_END()
