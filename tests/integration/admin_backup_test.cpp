// dfp-admin backup of a live server's data directory while clients post and upload: the copy
// is one consistent snapshot, `check` finds it clean, and a server started on it serves it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/admin_runner.h"
#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

constexpr int kClients = 8;
constexpr int kUploaders = 2;  // clients 0 and 1 also upload, every kUploadEvery posts
constexpr int kUploadEvery = 4;
constexpr int kPostsBeforeBackup = 5;  // per client, on average
constexpr auto kProgressDeadline = 60s;

std::string userName(int client) {
    return "poster" + std::to_string(client);
}
std::string threadTitle(int client) {
    return "thread" + std::to_string(client);
}
std::string fileName(int upload) {
    return "file" + std::to_string(upload) + ".bin";
}
// Different bytes for every upload, a few KiB each.
std::string fileBytes(int client, int upload) {
    std::string bytes;
    for (int i = 0; bytes.size() < 4096; ++i) {
        bytes += "client " + std::to_string(client) + " upload " + std::to_string(upload) +
                 " line " + std::to_string(i) + "\n";
    }
    return bytes;
}

// Posts (and uploads) from kClients threads until stopped; counts what was acknowledged.
class Posters {
public:
    explicit Posters(ServerFixture& fixture) {
        for (int i = 0; i < kClients; ++i) {
            clients_.push_back(fixture.loggedIn(userName(i)));
            clients_.back().expect("CRT " + threadTitle(i), 201);
        }
        posted_.assign(kClients, 0);
        uploaded_.assign(kClients, 0);
        for (int i = 0; i < kClients; ++i) {
            threads_.emplace_back([this, i] { post(i); });
        }
    }
    ~Posters() { stop(); }
    Posters(const Posters&) = delete;
    Posters& operator=(const Posters&) = delete;

    int total() {
        std::lock_guard lock(mu_);
        return std::accumulate(posted_.begin(), posted_.end(), 0);
    }
    // Waits until at least target posts have been acknowledged; false on an error or timeout.
    bool waitForTotal(int target) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, kProgressDeadline, [&] {
            return !error_.empty() || std::accumulate(posted_.begin(), posted_.end(), 0) >= target;
        }) && error_.empty();
    }
    void stop() {
        stopping_ = true;
        for (std::thread& thread : threads_) {
            if (thread.joinable()) {
                thread.join();
            }
        }
    }
    std::string error() {
        std::lock_guard lock(mu_);
        return error_;
    }
    int posted(int client) {
        std::lock_guard lock(mu_);
        return posted_[client];
    }
    int uploaded(int client) {
        std::lock_guard lock(mu_);
        return uploaded_[client];
    }

private:
    void post(int i) {
        LineClient& client = clients_[i];
        try {
            for (int n = 1; !stopping_; ++n) {
                client.expect("MSG " + threadTitle(i) + " post " + std::to_string(n), 201);
                int uploads = 0;
                if (i < kUploaders && n % kUploadEvery == 0) {
                    uploads = n / kUploadEvery;
                    const std::string bytes = fileBytes(i, uploads);
                    client.expect("UPD " + threadTitle(i) + " " + fileName(uploads) + " " +
                                      std::to_string(bytes.size()),
                                  340);
                    client.sendRaw(bytes);
                    const Response stored = client.readStatus();
                    if (stored.code != 201) {
                        throw ClientError("upload answered " + stored.line);
                    }
                }
                std::lock_guard lock(mu_);
                posted_[i] = n;
                if (uploads > 0) {
                    uploaded_[i] = uploads;
                }
                changed_.notify_all();
            }
        } catch (const std::exception& e) {
            std::lock_guard lock(mu_);
            error_ = userName(i) + ": " + e.what();
            changed_.notify_all();
        }
    }

    std::vector<LineClient> clients_;  // client i belongs to thread i
    std::vector<std::thread> threads_;
    std::atomic<bool> stopping_{false};
    std::mutex mu_;
    std::condition_variable changed_;
    std::vector<int> posted_;    // guarded by mu_: acknowledged posts per client
    std::vector<int> uploaded_;  // guarded by mu_: acknowledged uploads per client
    std::string error_;          // guarded by mu_
};

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_backup_live)

BOOST_FIXTURE_TEST_CASE(a_backup_taken_while_eight_clients_post_is_consistent_and_served,
                        StartedServer) {
    const std::filesystem::path destination = tempPath() / "backup";
    Posters posters(*this);
    BOOST_REQUIRE_MESSAGE(posters.waitForTotal(kClients * kPostsBeforeBackup), posters.error());
    const int before = posters.total();

    const ClientRun backup =
        runAdminBinary({dataDirOption(dataDir()), "backup", destination.string()});
    const int after = posters.total();
    // The server kept serving: the posters go on being answered after the backup as well.
    BOOST_REQUIRE_MESSAGE(posters.waitForTotal(after + kClients), posters.error());
    posters.stop();
    BOOST_REQUIRE_MESSAGE(posters.error().empty(), posters.error());
    BOOST_REQUIRE_MESSAGE(backup.status == 0, describeRun(backup));
    BOOST_TEST(backup.out.find("written to " + destination.string()) != std::string::npos,
               describeRun(backup));

    const ClientRun check = runAdminBinary({dataDirOption(destination), "check"});
    BOOST_TEST(check.status == 0, describeRun(check));
    BOOST_TEST(check.out.find(" is clean: ") != std::string::npos, describeRun(check));

    // A server started on the copy serves it.
    ServerOptions restoredOptions = options();
    restoredOptions.dataDir = destination;
    ServerProcess restored(restoredOptions);
    LineClient reader(restored.awaitListening(), LineClient::kDefaultTimeout, "reader");
    reader.readGreeting();
    reader.login(userName(0), kPassword);
    reader.expect("LST", 215);
    BOOST_TEST(reader.readBody().size() == static_cast<std::size_t>(kClients));

    int backedUp = 0;
    for (int i = 0; i < kClients; ++i) {
        reader.expect("RDT " + threadTitle(i), 210);
        const Lines lines = reader.readBody();
        // One snapshot: each thread holds its first k posts, in order, with no gap, and the
        // uploads made between them.
        int messages = 0;
        std::vector<std::string> uploads;
        for (const std::string& line : lines) {
            const std::string upload = userName(i) + " uploaded ";
            if (line.rfind(upload, 0) == 0) {
                uploads.push_back(line.substr(upload.size()));
                continue;
            }
            ++messages;
            BOOST_TEST(line == std::to_string(messages) + " " + userName(i) + ": post " +
                                   std::to_string(messages));
        }
        BOOST_TEST(messages <= posters.posted(i));
        BOOST_TEST(static_cast<int>(uploads.size()) <= posters.uploaded(i));
        for (std::size_t u = 0; u < uploads.size(); ++u) {
            BOOST_TEST(uploads[u] == fileName(static_cast<int>(u) + 1));
            const std::string expected = fileBytes(i, static_cast<int>(u) + 1);
            const Response download = reader.request("DWN " + threadTitle(i) + " " + uploads[u]);
            BOOST_REQUIRE_EQUAL(download.code, 211);
            BOOST_TEST(download.field(2) == sha256Hex(expected));
            BOOST_TEST(reader.readBytes(expected.size()) == expected);
        }
        backedUp += messages;
        // Numbering goes on from the copy.
        const Response next = reader.request("MSG " + threadTitle(i) + " after the restore");
        BOOST_TEST(next.code == 201);
        BOOST_TEST(next.field(1) == std::to_string(messages + 1));
    }
    // Everything acknowledged before the backup started is in it.
    BOOST_TEST(backedUp >= before);
    BOOST_TEST(posters.uploaded(0) > 0);

    restored.terminate(SIGTERM);
    BOOST_TEST(restored.expectExit().isCleanZero());
}

BOOST_AUTO_TEST_SUITE_END()
