// Many sessions at once: message numbers handed out exactly once, a contested title created
// once, transfers that do not mix (protocol.md §4 "Message numbers"; the server issue's Tests).

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <exception>
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

// Runs body(0..count-1) on `count` threads released together, and returns the errors they
// threw (Boost.Test assertions are not thread-safe, so the workers only throw).
std::vector<std::string> runTogether(int count, const std::function<void(int)>& body) {
    std::latch ready(count);
    std::mutex mu;
    std::vector<std::string> errors;  // guarded by mu
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(count));
    for (int index = 0; index < count; ++index) {
        threads.emplace_back([&, index] {
            ready.arrive_and_wait();
            try {
                body(index);
            } catch (const std::exception& e) {
                std::lock_guard lock(mu);
                errors.push_back("worker " + std::to_string(index) + ": " + e.what());
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    return errors;
}

void requireNoErrors(const std::vector<std::string>& errors) {
    for (const std::string& error : errors) {
        BOOST_TEST_ERROR(error);
    }
    BOOST_TEST_REQUIRE(errors.empty());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_FIXTURE_TEST_CASE(numbers_32_times_50_concurrent_posts_1_to_1600_exactly_once,
                        StartedServer) {
    constexpr int kClients = 32;
    constexpr int kPosts = 50;
    LineClient creator = loggedIn("creator");
    creator.expect("CRT jedi", 201);

    // Log in first, so the posts themselves run together.
    std::vector<LineClient> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(loggedIn("poster" + std::to_string(i)));
    }
    std::mutex mu;
    std::map<long long, std::pair<std::string, std::string>> posts;  // guarded by mu
    std::vector<std::string> duplicates;                             // guarded by mu
    const auto errors = runTogether(kClients, [&](int i) {
        LineClient& client = clients[static_cast<std::size_t>(i)];
        const std::string author = "poster" + std::to_string(i);
        for (int k = 0; k < kPosts; ++k) {
            const std::string text = "message " + std::to_string(k) + " from " + author;
            const Response posted = client.expect("MSG jedi " + text, 201);
            const long long number = std::stoll(posted.field(1));
            std::lock_guard lock(mu);
            if (!posts.emplace(number, std::pair(author, text)).second) {
                duplicates.push_back(posted.line + " (to " + author + ")");
            }
        }
    });
    requireNoErrors(errors);
    BOOST_TEST(duplicates.empty(), duplicates.size() << " duplicate numbers, first "
                                                     << (duplicates.empty() ? "" : duplicates[0]));
    BOOST_TEST_REQUIRE(posts.size() == static_cast<std::size_t>(kClients * kPosts));
    BOOST_TEST(posts.begin()->first == 1);
    BOOST_TEST(posts.rbegin()->first == kClients * kPosts);

    // RDT shows all 1600 in posting order, each with the author and text its poster was told.
    const Response thread = creator.request("RDT jedi");
    BOOST_TEST_REQUIRE(thread.code == 210, thread);
    BOOST_TEST(thread.field(1) == std::to_string(kClients * kPosts), thread);
    const Lines body = creator.readBody();
    BOOST_TEST_REQUIRE(body.size() == posts.size());
    std::size_t mismatches = 0;
    auto expected = posts.begin();
    for (const std::string& line : body) {
        const std::string want = std::to_string(expected->first) + " " + expected->second.first +
                                 ": " + expected->second.second;
        if (line != want && mismatches++ == 0) {
            BOOST_TEST(line == want);
        }
        ++expected;
    }
    BOOST_TEST(mismatches == 0u);
}

BOOST_FIXTURE_TEST_CASE(creates_a_contested_title_exactly_once, StartedServer) {
    constexpr int kClients = 16;
    std::vector<LineClient> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(loggedIn("user" + std::to_string(i)));
    }
    std::mutex mu;
    std::multiset<int> codes;  // guarded by mu
    const auto errors = runTogether(kClients, [&](int i) {
        const Response created = clients[static_cast<std::size_t>(i)].request("CRT contested");
        std::lock_guard lock(mu);
        codes.insert(created.code);
    });
    requireNoErrors(errors);
    BOOST_TEST(codes.count(201) == 1u);
    BOOST_TEST(codes.count(409) == static_cast<std::size_t>(kClients - 1));
    LineClient reader = loggedIn("reader");
    reader.expect("LST", 215);
    BOOST_TEST(reader.readBody() == Lines{"contested"});
}

BOOST_FIXTURE_TEST_CASE(keeps_concurrent_uploads_and_downloads_apart, StartedServer) {
    constexpr int kClients = 8;
    constexpr std::size_t kSize = 512 * 1024;
    LineClient creator = loggedIn("creator");
    creator.expect("CRT jedi", 201);
    std::vector<LineClient> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(loggedIn("user" + std::to_string(i)));
    }
    // File i is byte (i * 37 + position) mod 251: distinct per client and per position.
    const auto content = [](int i) {
        std::string bytes(kSize, '\0');
        for (std::size_t at = 0; at < kSize; ++at) {
            bytes[at] = static_cast<char>((static_cast<std::size_t>(i) * 37 + at) % 251);
        }
        return bytes;
    };
    auto errors = runTogether(kClients, [&](int i) {
        LineClient& client = clients[static_cast<std::size_t>(i)];
        const std::string bytes = content(i);
        client.expect("UPD jedi file" + std::to_string(i) + ".bin " + std::to_string(kSize) + " " +
                          sha256Hex(bytes),
                      340);
        client.sendRaw(bytes);
        const Response done = client.readStatus();
        if (done.code != 201) {
            throw ClientError("upload " + std::to_string(i) + ": " + done.line);
        }
    });
    requireNoErrors(errors);
    errors = runTogether(kClients, [&](int i) {
        LineClient& client = clients[static_cast<std::size_t>(i)];
        const int other = (i + 1) % kClients;
        const Response header =
            client.expect("DWN jedi file" + std::to_string(other) + ".bin", 211);
        const std::string bytes = client.readBytes(std::stoull(header.field(1)));
        if (bytes != content(other) || header.field(2) != sha256Hex(bytes)) {
            throw ClientError("download of file" + std::to_string(other) +
                              " differs: " + header.line);
        }
    });
    requireNoErrors(errors);
}

BOOST_AUTO_TEST_SUITE_END()
