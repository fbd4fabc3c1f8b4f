#include "bench/bench_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace dfp::bench {
namespace {

using namespace std::chrono_literals;

// A peer on a loopback port that greets one connection, then answers each request line with
// the next of its replies, sent whole in one write. Closes after the last reply.
class ScriptedPeer {
public:
    explicit ScriptedPeer(std::vector<std::string> replies) : replies_(std::move(replies)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        BOOST_REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) == 0);
        BOOST_REQUIRE(::listen(listener_, 1) == 0);
        BOOST_REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) ==
                      0);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptedPeer() {
        // Wakes an accept() still waiting if the test failed before connecting, so the join
        // cannot hang; once connected, the peer ends when the client closes.
        ::shutdown(listener_, SHUT_RDWR);
        thread_.join();
        ::close(listener_);
    }
    ScriptedPeer(const ScriptedPeer&) = delete;
    ScriptedPeer& operator=(const ScriptedPeer&) = delete;

    std::uint16_t port() const { return port_; }

private:
    void serve() {
        const int fd = ::accept(listener_, nullptr, nullptr);
        if (fd < 0) {
            return;
        }
        sendAll(fd, "200 DFP/1 ready\n");
        std::string pending;
        char chunk[4096];
        for (const std::string& reply : replies_) {
            std::size_t lf;
            while ((lf = pending.find('\n')) == std::string::npos) {
                const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
                if (got <= 0) {
                    ::close(fd);
                    return;
                }
                pending.append(chunk, static_cast<std::size_t>(got));
            }
            pending.erase(0, lf + 1);
            sendAll(fd, reply);
        }
        ::close(fd);
    }
    static void sendAll(int fd, std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent <= 0) {
                return;
            }
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
    }

    std::vector<std::string> replies_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

std::string thread(const std::vector<std::string>& lines) {
    std::string out = "210 " + std::to_string(lines.size()) + " entries\n";
    for (const std::string& line : lines) {
        out += line + "\n";
    }
    return out + ".\n";
}

const std::string kTwo = thread({"1 ann: first", "2 bob: second"});
// The same bytes but one: the numbers now go down, which is well framed and still wrong.
const std::string kTwoDescending = thread({"1 ann: first", "0 bob: second"});
const std::string kThree = thread({"1 ann: first", "2 bob: second", "3 ann: third"});

// Connects to a peer with these replies and sends each request with its expectation.
std::vector<Outcome> run(std::vector<std::string> replies,
                         const std::vector<std::pair<std::string, Expectation>>& requests) {
    ScriptedPeer peer(std::move(replies));
    const Endpoint endpoint = Endpoint::resolve("127.0.0.1", peer.port());
    std::vector<Outcome> out;
    BenchClient client(endpoint, 10s);
    BOOST_REQUIRE(client.connect().ok);
    for (const auto& [line, expectation] : requests) {
        out.push_back(client.request(line, expectation));
    }
    client.close();
    return out;
}

BOOST_AUTO_TEST_SUITE(bench_client)

BOOST_AUTO_TEST_CASE(a_repeated_reply_passes_and_a_changed_byte_is_checked_again) {
    const std::vector<Outcome> r =
        run({kTwo, kTwo, kTwoDescending, kTwo}, {{"RDT t", expectEntries(2)},
                                                 {"RDT t", expectEntries(2)},
                                                 {"RDT t", expectEntries(2)},
                                                 {"RDT t", expectEntries(2)}});
    BOOST_REQUIRE_EQUAL(r.size(), 4U);
    for (std::size_t i : {0, 1, 3}) {
        BOOST_TEST_CONTEXT("reply " << i) {
            BOOST_TEST(r[i].ok);
            BOOST_TEST(r[i].bodyItems == 2U);
            // Body bytes as they came, each line with its LF.
            BOOST_TEST(r[i].bytes == std::string("1 ann: first\n2 bob: second\n").size());
            BOOST_TEST(r[i].firstItem.has_value());
        }
    }
    BOOST_TEST(!r[2].ok);
    BOOST_TEST(r[2].problem.find("after message") != std::string::npos, r[2].problem);
}

BOOST_AUTO_TEST_CASE(a_reply_is_only_compared_with_one_that_met_the_same_expectation) {
    // kTwo passed with two entries expected; the same bytes must fail where three are.
    const std::vector<Outcome> r = run({kTwo, kTwo, kThree, kThree}, {{"RDT t", expectEntries(2)},
                                                                      {"RDT t", expectEntries(3)},
                                                                      {"RDT u", expectEntries()},
                                                                      {"RDT u", expectEntries()}});
    BOOST_REQUIRE_EQUAL(r.size(), 4U);
    BOOST_TEST(r[0].ok);
    BOOST_TEST(!r[1].ok);
    BOOST_TEST(r[1].problem.find("expected 3") != std::string::npos, r[1].problem);
    BOOST_TEST(r[2].ok);
    BOOST_TEST(r[2].bodyItems == 3U);
    BOOST_TEST(r[3].ok);
    BOOST_TEST(r[3].bodyItems == 3U);
}

BOOST_AUTO_TEST_CASE(a_longer_reply_that_starts_like_the_kept_one_is_parsed_whole) {
    // kThree begins with kTwo's body lines: matching a prefix must not end the reply early.
    const std::vector<Outcome> r =
        run({kTwo, kThree, kThree},
            {{"RDT t", expectEntries()}, {"RDT t", expectEntries()}, {"RDT t", expectEntries()}});
    BOOST_REQUIRE_EQUAL(r.size(), 3U);
    BOOST_TEST(r[0].bodyItems == 2U);
    BOOST_TEST(r[1].ok);
    BOOST_TEST(r[1].bodyItems == 3U);
    BOOST_TEST(r[2].ok);
    BOOST_TEST(r[2].bodyItems == 3U);
}

BOOST_AUTO_TEST_CASE(bytes_after_a_repeated_reply_belong_to_the_next_one) {
    // The notice comes in the same write as the repeated reply: the next request must see it.
    const std::vector<Outcome> r = run(
        {kTwo, kTwo + "600 the server is shutting down\n", "230 unexpected\n"},
        {{"RDT t", expectEntries(2)}, {"RDT t", expectEntries(2)}, {"RDT t", expectEntries(2)}});
    BOOST_REQUIRE_EQUAL(r.size(), 3U);
    BOOST_TEST(r[0].ok);
    BOOST_TEST(r[1].ok);
    BOOST_TEST(!r[2].ok);
    BOOST_TEST(r[2].problem.find("shutting down") != std::string::npos, r[2].problem);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dfp::bench
