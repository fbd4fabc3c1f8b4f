#pragma once

// The Boost.Test fixture of the integration tests: a temp directory, the real dfp-server started
// in it on an ephemeral port, and helpers to connect. Header-only because it needs
// DFP_SERVER_PATH, which only the integration test binary defines (tests/CMakeLists.txt).
// DFP_TEST_SERVER in the environment, if set, names another server binary to test.

#ifndef DFP_SERVER_PATH
#error "server_fixture.h is for the integration tests, which define DFP_SERVER_PATH"
#endif

#include <signal.h>

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/line_client.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace dfp::test {

using namespace std::chrono_literals;

// Inner spaces on purpose: the SHT password is the rest of the line (protocol.md §1).
inline constexpr std::string_view kAdminPassword = "open sesame  twice";
inline constexpr std::string_view kPassword = "correct horse battery staple";

inline std::filesystem::path serverBinary() {
    const char* override = std::getenv("DFP_TEST_SERVER");
    return override != nullptr && *override != '\0' ? override : DFP_SERVER_PATH;
}

// Lower-case hex SHA-256, computed here independently of the server.
inline std::string sha256Hex(std::string_view bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes.data(), bytes.size());
    return Poco::DigestEngine::digestToHex(engine.digest());
}

class Sha256 {
public:
    void update(std::string_view bytes) { engine_.update(bytes.data(), bytes.size()); }
    std::string hex() { return Poco::DigestEngine::digestToHex(engine_.digest()); }

private:
    Poco::SHA2Engine engine_{Poco::SHA2Engine::SHA_256};
};

// Every byte value, `copies` times over: the bytes a binary-clean transfer must survive.
inline std::string everyByteValue(int copies = 1) {
    std::string bytes;
    for (int copy = 0; copy < copies; ++copy) {
        for (int value = 0; value < 256; ++value) {
            bytes += static_cast<char>(value);
        }
    }
    return bytes;
}

inline bool currentTestHasFailed() {
    try {
        namespace utf = boost::unit_test;
        const utf::test_case& current = utf::framework::current_test_case();
        return !utf::results_collector.results(current.p_id).passed();
    } catch (...) {
        return false;
    }
}

class ServerFixture {
public:
    ServerFixture() = default;
    ~ServerFixture() {
        // A failing case shows what the server said; an exception unwinding through here has
        // not been recorded as a failure yet, hence the second test.
        if (server_ && (std::uncaught_exceptions() > 0 || currentTestHasFailed())) {
            std::string log = server_->log();
            constexpr std::size_t kTail = 32 * 1024;
            if (log.size() > kTail) {
                log = "...\n" + log.substr(log.size() - kTail);
            }
            std::cerr << "---- dfp-server log (pid " << server_->pid() << ") ----\n"
                      << log << "---- end of dfp-server log ----\n";
        }
    }
    ServerFixture(const ServerFixture&) = delete;
    ServerFixture& operator=(const ServerFixture&) = delete;

    std::filesystem::path dataDir() const { return temp_.path() / "data"; }
    const std::filesystem::path& tempPath() const { return temp_.path(); }

    ServerOptions options(std::vector<std::string> extraArgs = {}) const {
        ServerOptions options;
        options.binary = serverBinary();
        options.dataDir = dataDir();
        options.adminPassword = std::string(kAdminPassword);
        options.extraArgs = std::move(extraArgs);
        return options;
    }

    // Starts the server on this fixture's data dir and waits until it listens. A server from an
    // earlier start() must have exited (stop()) or is killed first.
    ServerProcess& start(std::vector<std::string> extraArgs = {}) {
        server_.reset();
        server_ = std::make_unique<ServerProcess>(options(std::move(extraArgs)));
        server_->awaitListening();
        return *server_;
    }

    // SIGTERM, and the server must exit 0 (the lead's contract) within the deadline.
    void stop() {
        server_->terminate(SIGTERM);
        const ExitStatus status = server_->expectExit();
        BOOST_TEST_REQUIRE(status.isCleanZero(), "dfp-server after SIGTERM: " << status.describe());
    }

    ServerProcess& server() { return *server_; }
    std::uint16_t port() const { return server_->port(); }

    // A connection whose greeting has been read.
    LineClient connect(std::string name = "client") {
        LineClient client(port(), LineClient::kDefaultTimeout, std::move(name));
        client.readGreeting();
        return client;
    }

    LineClient loggedIn(std::string_view user, std::string_view password = kPassword) {
        LineClient client = connect(std::string(user));
        client.login(user, password);
        return client;
    }

private:
    TempDir temp_;
    std::unique_ptr<ServerProcess> server_;
};

// The common case: a server with default options, already listening.
struct StartedServer : ServerFixture {
    StartedServer() { start(); }
};

}  // namespace dfp::test

// Compare Lines with their own operator== and print them on failure.
template <>
struct boost::unit_test::is_forward_iterable<dfp::test::Lines> : std::false_type {};
