// dfp-crash-test: crash safety of the real dfp-server (issue 7).
//
// Starts dfp-server on a temp data directory, lets 16 clients post, edit, delete, upload and
// remove files over real sockets, and kills the server with SIGKILL after a random number of
// acknowledged changes, with requests of every kind in flight. It then restarts the server on
// the same directory and checks, before any client is let in again:
//
// - every acknowledged change is there and intact, and nothing unacknowledged is half there
//   (ForumModel::reconcile, through LST, RDT and DWN);
// - the store cleaned up after the crash: tmp/ is empty, and the blobs in files/ are exactly
//   the stored files (compared by sha256);
// - numbering continues: a new post in every thread gets a number above all seen before;
// - `dfp-admin --data-dir=DIR check` is clean, if this dfp-admin has a check command.
//
// After the last round the server is stopped with SIGTERM (it must exit 0), started once
// more and checked again. Every wait has a deadline; the kill moment is chosen by counting
// acknowledgements, never by sleeping.
//
// Usage: dfp-crash-test [--rounds=N] [--seed=S] [--clients=N] [--max-acks=N] [--sync=MODE]
//                       [--server=PATH] [--admin=PATH] [--admin-check=auto|on|off]
//                       [--data-dir=DIR]
// Exit status: 0 all rounds passed, 1 a problem was found (each one printed), 2 bad usage.

#include <signal.h>

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "crash/forum_model.h"
#include "crash/run_command.h"
#include "support/line_client.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

#ifndef DFP_SERVER_PATH
#error "DFP_SERVER_PATH must name the dfp-server binary (tests/CMakeLists.txt)"
#endif
#ifndef DFP_ADMIN_PATH
#error "DFP_ADMIN_PATH must name the dfp-admin binary (tests/CMakeLists.txt)"
#endif

namespace dfp::crash {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::ClientError;
using test::LineClient;
using test::Response;
using test::ServerProcess;

// Titles with multi-byte UTF-8 on purpose: names travel through every layer.
const std::vector<std::string> kTitles = {"crash-alpha", "crash-beta", "crash-\xce\xb3",
                                          "crash-\xce\xb4\xce\xad\xce\xbb\xcf\x84\xce\xb1"};
constexpr std::string_view kVerifier = "verifier";
constexpr std::string_view kVerifierPassword = "verify  me";  // PASS is the rest of the line

// How long a request may take before the run is declared stuck. Generous: under ASan on a
// loaded 2-core machine an fsync-heavy upload can take a while.
constexpr auto kRequestTimeout = 30'000ms;
constexpr auto kStartTimeout = 60'000ms;
constexpr auto kNoProgressTimeout = 60'000ms;
// A stalled upload waits for the kill; the kill comes after the others' acknowledgements.
constexpr auto kStalledTimeout = 120'000ms;
constexpr int kMaxStalledUploads = 2;

struct Options {
    int rounds = 20;
    std::uint64_t seed = 0;
    int clients = 16;
    int maxAcks = 300;  // the kill comes after 1..maxAcks acknowledged changes
    std::string sync = "normal";
    fs::path server = DFP_SERVER_PATH;
    fs::path admin = DFP_ADMIN_PATH;
    std::string adminCheck = "auto";
    fs::path dataDir;  // empty: a temp dir, removed at the end; else kept
};

class Failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    std::uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::string sha256Hex(std::string_view bytes) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

std::string readWholeFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string tail(const std::string& text, std::size_t size) {
    return text.size() > size ? "...\n" + text.substr(text.size() - size) : text;
}

// Message text: a unique tag, then filler of spaces, tabs, colons, dots and multi-byte
// characters, 1..4000 bytes (protocol.md §4), sometimes starting with "." (dot-stuffing) and
// sometimes ending in spaces (the rest of the line is kept exactly).
std::string makeText(std::mt19937_64& rng, const std::string& tag) {
    static const std::vector<std::string> kPieces = {"lorem",
                                                     "ipsum",
                                                     " ",
                                                     "  ",
                                                     "\t",
                                                     ": ",
                                                     ".",
                                                     "..",
                                                     "\xc3\xa9t\xc3\xa9",
                                                     "\xe6\xbc\xa2\xe5\xad\x97",
                                                     "\xf0\x9f\x99\x82",
                                                     "1.",
                                                     "x",
                                                     "MSG a b",
                                                     "\\",
                                                     "%s",
                                                     "\"q\""};
    std::string text;
    if (rng() % 10 == 0) {
        text += '.';
    }
    text += tag;
    const unsigned pick = static_cast<unsigned>(rng() % 100);
    const std::size_t target = pick < 90 ? rng() % 100 : pick < 99 ? 100 + rng() % 900 : 4000;
    while (text.size() < target) {
        const std::string& piece = kPieces[rng() % kPieces.size()];
        if (text.size() + piece.size() > 4000) {
            break;
        }
        text += piece;
    }
    return text;
}

std::uint64_t makeFileSize(std::mt19937_64& rng) {
    const unsigned pick = static_cast<unsigned>(rng() % 100);
    if (pick < 5) {
        return 0;
    }
    if (pick < 75) {
        return 1 + rng() % 4096;
    }
    if (pick < 97) {
        return 4096 + rng() % (64 * 1024);
    }
    return 64 * 1024 + rng() % (256 * 1024);
}

std::optional<MessageNumber> parseNumber(const std::string& text) {
    MessageNumber value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// What a worker was doing when the server died, for the round summary.
enum class InFlight {
    None,
    Login,
    Create,
    Post,
    Edit,
    Delete,
    UploadHeader,
    UploadBytes,
    UploadStalled,
    Remove
};

const char* describe(InFlight what) {
    switch (what) {
        case InFlight::None:
            return "idle";
        case InFlight::Login:
            return "login";
        case InFlight::Create:
            return "CRT";
        case InFlight::Post:
            return "MSG";
        case InFlight::Edit:
            return "EDT";
        case InFlight::Delete:
            return "DLT";
        case InFlight::UploadHeader:
            return "UPD before 340";
        case InFlight::UploadBytes:
            return "UPD after 340";
        case InFlight::UploadStalled:
            return "UPD stalled halfway";
        case InFlight::Remove:
            return "RMF";
    }
    return "?";
}

class CrashTest {
public:
    explicit CrashTest(Options options) : options_(std::move(options)) {}

    int run();

private:
    // --- the rounds
    void startServer();
    void workload(int round);
    void worker(int round, int index, unsigned uploadShare);
    void verify(const std::string& when);
    void checkDataDirectory(std::vector<std::string>& problems);
    // Runs `dfp-admin check` if it has one; says what came of it, for the summary.
    std::string checkWithAdmin(std::vector<std::string>& problems);
    void checkNumbering(LineClient& client, const std::string& tag,
                        std::vector<std::string>& problems);
    void stopCleanly();

    // --- one worker's requests
    struct WorkerState {
        std::string user;
        std::string password;
        std::mt19937_64 rng;
        std::vector<OwnedMessage> messages;
        std::vector<OwnedFile> files;
        int round = 0;
        int op = 0;
        InFlight inFlight = InFlight::None;
    };
    void login(LineClient& client, WorkerState& state);
    void createThreads(LineClient& client, WorkerState& state);
    void post(LineClient& client, WorkerState& state);
    void edit(LineClient& client, WorkerState& state);
    void remove(LineClient& client, WorkerState& state);
    void upload(LineClient& client, WorkerState& state);
    void removeFile(LineClient& client, WorkerState& state);
    void readThread(LineClient& client, WorkerState& state);
    Response expectCode(LineClient& client, const std::string& line, std::vector<int> codes);

    void acknowledged();
    void fail(const std::string& problem);
    bool failed() const;

    Options options_;
    std::unique_ptr<test::TempDir> temp_;
    fs::path dataDir_;
    std::unique_ptr<ServerProcess> server_;
    ForumModel model_;
    std::optional<bool> adminHasCheck_;

    mutable std::mutex mu_;
    std::condition_variable changed_;
    long acks_ = 0;                         // guarded by mu_
    std::vector<std::string> problems_;     // guarded by mu_
    std::vector<InFlight> inFlightAtKill_;  // guarded by mu_
    std::atomic<bool> killed_{false};
    std::atomic<int> stalledUploads_{0};
    long totalAcks_ = 0;
};

// ---------------------------------------------------------------------------------------------

void CrashTest::acknowledged() {
    {
        std::lock_guard lock(mu_);
        ++acks_;
    }
    changed_.notify_all();
}

void CrashTest::fail(const std::string& problem) {
    {
        std::lock_guard lock(mu_);
        problems_.push_back(problem);
    }
    changed_.notify_all();
}

bool CrashTest::failed() const {
    std::lock_guard lock(mu_);
    return !problems_.empty();
}

Response CrashTest::expectCode(LineClient& client, const std::string& line,
                               std::vector<int> codes) {
    Response response = client.request(line);
    if (std::find(codes.begin(), codes.end(), response.code) == codes.end()) {
        std::string expected;
        for (int code : codes) {
            expected += (expected.empty() ? "" : " or ") + std::to_string(code);
        }
        throw Failure(client.name() + ": sent " + test::printable(line) + ", expected " + expected +
                      ", got " + test::printable(response.line));
    }
    return response;
}

void CrashTest::startServer() {
    test::ServerOptions options;
    options.binary = options_.server;
    options.dataDir = dataDir_;
    options.extraArgs = {"--sync=" + options_.sync, "--drain-timeout=2"};
    server_.reset();  // the previous one has been reaped
    server_ = std::make_unique<ServerProcess>(std::move(options));
    server_->awaitListening(kStartTimeout);
}

void CrashTest::login(LineClient& client, WorkerState& state) {
    state.inFlight = InFlight::Login;
    client.readGreeting();
    const bool known = model_.userAcknowledged(state.user);
    const Response asked = expectCode(client, "USER " + state.user, {331, 332});
    if (asked.code == 332) {
        if (known) {
            throw Failure(state.user + ": acknowledged registration lost (USER answered 332)");
        }
        model_.registrationSent(state.user);
    }
    expectCode(client, "PASS " + state.password, {asked.code == 331 ? 230 : 231});
    model_.loggedIn(state.user);
    state.inFlight = InFlight::None;
}

void CrashTest::createThreads(LineClient& client, WorkerState& state) {
    const std::vector<std::string> known = model_.knownThreads();
    for (const std::string& title : kTitles) {
        if (std::find(known.begin(), known.end(), title) != known.end()) {
            continue;
        }
        state.inFlight = InFlight::Create;
        model_.sendCreateThread(title);
        expectCode(client, "CRT " + title, {201, 409});
        model_.threadCreated(title);
        state.inFlight = InFlight::None;
    }
}

std::string tagFor(const std::string& kind, int round, int op, const std::string& user) {
    return kind + "." + user + ".r" + std::to_string(round) + "." + std::to_string(op);
}

void CrashTest::post(LineClient& client, WorkerState& state) {
    const std::string& title = kTitles[state.rng() % kTitles.size()];
    const std::string text = makeText(state.rng, tagFor("m", state.round, state.op, state.user));
    state.inFlight = InFlight::Post;
    const ForumModel::PostTicket ticket = model_.sendPost(title, state.user, text);
    const Response response = expectCode(client, "MSG " + title + " " + text, {201});
    const std::optional<MessageNumber> number = parseNumber(response.field(1));
    if (!number) {
        throw Failure(state.user + ": MSG answered " + test::printable(response.line) +
                      " without a message number");
    }
    if (auto problem = model_.postDone(ticket, state.user, *number)) {
        throw Failure(*problem);
    }
    state.messages.push_back(OwnedMessage{title, *number});
    state.inFlight = InFlight::None;
    acknowledged();
}

void CrashTest::edit(LineClient& client, WorkerState& state) {
    const OwnedMessage target = state.messages[state.rng() % state.messages.size()];
    const std::string text = makeText(state.rng, tagFor("e", state.round, state.op, state.user));
    state.inFlight = InFlight::Edit;
    model_.sendEdit(target, text);
    expectCode(client, "EDT " + target.title + " " + std::to_string(target.number) + " " + text,
               {200});
    model_.editDone(target, text);
    state.inFlight = InFlight::None;
    acknowledged();
}

void CrashTest::remove(LineClient& client, WorkerState& state) {
    const std::size_t index = state.rng() % state.messages.size();
    const OwnedMessage target = state.messages[index];
    state.inFlight = InFlight::Delete;
    model_.sendDelete(target);
    expectCode(client, "DLT " + target.title + " " + std::to_string(target.number), {200});
    model_.deleteDone(target);
    state.messages.erase(state.messages.begin() + static_cast<std::ptrdiff_t>(index));
    state.inFlight = InFlight::None;
    acknowledged();
}

void CrashTest::upload(LineClient& client, WorkerState& state) {
    const std::string& title = kTitles[state.rng() % kTitles.size()];
    std::string name = tagFor("f", state.round, state.op, state.user);
    if (state.rng() % 4 == 0) {
        name += "-\xc3\xa9";
    }
    const FileContent content{state.rng(), makeFileSize(state.rng)};
    const std::string bytes = content.bytes();
    std::string line = "UPD " + title + " " + name + " " + std::to_string(bytes.size());
    if (state.rng() % 2 == 0) {
        line += " " + sha256Hex(bytes);
    }
    // Now and then an upload stops halfway and waits for the kill: a partial temp file is
    // then certain to be on disk when the server dies.
    const bool stall = state.rng() % 30 == 0 && bytes.size() >= 2 &&
                       stalledUploads_.fetch_add(1) < kMaxStalledUploads;
    state.inFlight = InFlight::UploadHeader;
    model_.sendUpload(title, name, state.user, content);
    expectCode(client, line, {340});
    state.inFlight = InFlight::UploadBytes;
    if (stall) {
        state.inFlight = InFlight::UploadStalled;
        client.sendRaw(std::string_view(bytes).substr(0, bytes.size() / 2));
        client.setTimeout(kStalledTimeout);
        const Response unexpected = client.readStatus();
        throw Failure(state.user + ": a stalled upload (half its bytes sent) was answered " +
                      test::printable(unexpected.line));
    }
    // In up to four pieces, so the kill can find the server between them.
    std::string_view rest = bytes;
    const int pieces = 1 + static_cast<int>(state.rng() % 4);
    for (int i = 1; i < pieces && !rest.empty(); ++i) {
        const std::size_t size = state.rng() % (rest.size() + 1);
        client.sendRaw(rest.substr(0, size));
        rest.remove_prefix(size);
    }
    client.sendRaw(rest);
    const Response done = client.readStatus();
    if (done.code != 201) {
        throw Failure(state.user + ": " + line + " and its bytes were answered " +
                      test::printable(done.line) + ", expected 201");
    }
    model_.uploadDone(title, name);
    state.files.push_back(OwnedFile{title, name});
    state.inFlight = InFlight::None;
    acknowledged();
}

void CrashTest::removeFile(LineClient& client, WorkerState& state) {
    const std::size_t index = state.rng() % state.files.size();
    const OwnedFile target = state.files[index];
    state.inFlight = InFlight::Remove;
    model_.sendRemoveFile(target);
    expectCode(client, "RMF " + target.title + " " + target.name, {200});
    model_.removeFileDone(target);
    state.files.erase(state.files.begin() + static_cast<std::ptrdiff_t>(index));
    state.inFlight = InFlight::None;
    acknowledged();
}

void CrashTest::readThread(LineClient& client, WorkerState& state) {
    const std::string& title = kTitles[state.rng() % kTitles.size()];
    expectCode(client, "RDT " + title, {210});
    client.readBody();
}

void CrashTest::worker(int round, int index, unsigned uploadShare) {
    WorkerState state;
    state.user = "crash" + std::to_string(index);
    state.password = "pass word " + std::to_string(index);
    state.rng.seed(mix(mix(options_.seed, static_cast<std::uint64_t>(round)),
                       static_cast<std::uint64_t>(index)));
    state.round = round;
    state.messages = model_.messagesBy(state.user);
    state.files = model_.filesBy(state.user);
    try {
        LineClient client(server_->port(), kRequestTimeout, state.user);
        login(client, state);
        createThreads(client, state);
        while (!failed()) {
            ++state.op;
            // Of every 100 requests: uploadShare UPD, then (of the rest) 45% MSG, 25% EDT,
            // 15% DLT, 10% RMF and 5% RDT. Uploads take longest (two fsyncs), so with many
            // of them nearly every kill finds them in flight; rounds with few or none let the
            // kill find the other requests there.
            const unsigned pick = static_cast<unsigned>(state.rng() % 100);
            const unsigned rest = static_cast<unsigned>(state.rng() % 100);
            if (pick < uploadShare) {
                upload(client, state);
            } else if (rest < 45 || (rest < 85 && state.messages.empty())) {
                post(client, state);
            } else if (rest < 70) {
                edit(client, state);
            } else if (rest < 85) {
                remove(client, state);
            } else if (rest < 95 && !state.files.empty()) {
                removeFile(client, state);
            } else {
                readThread(client, state);
            }
        }
    } catch (const ClientError& e) {
        if (!killed_) {
            fail("connection lost before the kill: " + std::string(e.what()));
        }
    } catch (const std::exception& e) {
        fail(e.what());
    }
    std::lock_guard lock(mu_);
    inFlightAtKill_.push_back(state.inFlight);
}

void CrashTest::workload(int round) {
    std::mt19937_64 rng(mix(options_.seed, 1'000'000 + static_cast<std::uint64_t>(round)));
    const long target = 1 + static_cast<long>(rng() % static_cast<std::uint64_t>(options_.maxAcks));
    static constexpr unsigned kUploadShares[] = {0, 5, 15, 30};
    const unsigned uploadShare = kUploadShares[rng() % std::size(kUploadShares)];
    {
        std::lock_guard lock(mu_);
        acks_ = 0;
        inFlightAtKill_.clear();
    }
    killed_ = false;
    stalledUploads_ = 0;

    std::vector<std::thread> workers;
    for (int i = 0; i < options_.clients; ++i) {
        workers.emplace_back([this, round, i, uploadShare] { worker(round, i, uploadShare); });
    }
    {
        // Wait for the chosen number of acknowledgements, or a failure; a stretch with no
        // progress at all means the server (or this test) is stuck.
        std::unique_lock lock(mu_);
        long seen = -1;
        while (acks_ < target && problems_.empty()) {
            if (acks_ != seen) {
                seen = acks_;
            } else {
                problems_.push_back("no acknowledgement for " +
                                    std::to_string(kNoProgressTimeout.count()) + " ms in round " +
                                    std::to_string(round) + " (after " + std::to_string(acks_) +
                                    ")");
                break;
            }
            changed_.wait_for(lock, kNoProgressTimeout,
                              [&] { return acks_ != seen || !problems_.empty(); });
        }
    }
    // Half the rounds kill at once, the others up to 2 ms later: at once, the requests in
    // flight are mostly still on their way; a little later, some are committed but not yet
    // answered. The delay only picks the moment; nothing waits on it.
    if (rng() % 2 == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
    }
    killed_ = true;
    server_->terminate(SIGKILL);
    const test::ExitStatus status = server_->expectExit(kStartTimeout);
    if (!status.signalled() || status.signal() != SIGKILL) {
        fail("dfp-server ended by itself before the kill: " + status.describe());
    }
    for (std::thread& worker : workers) {
        worker.join();  // each ends at once: its connection is gone
    }

    std::lock_guard lock(mu_);
    totalAcks_ += acks_;
    std::map<std::string, int> counts;
    for (InFlight what : inFlightAtKill_) {
        if (what != InFlight::None) {
            ++counts[describe(what)];
        }
    }
    std::cout << "round " << round << "/" << options_.rounds << ": SIGKILL after " << acks_
              << " acknowledged changes (" << uploadShare << "% uploads); in flight:";
    if (counts.empty()) {
        std::cout << " nothing";
    }
    const char* separator = " ";
    for (const auto& [what, count] : counts) {
        std::cout << separator << count << " " << what;
        separator = ", ";
    }
    std::cout << '\n';
}

// ---------------------------------------------------------------------------------------------

void CrashTest::checkDataDirectory(std::vector<std::string>& problems) {
    // The owner removes crash leftovers when it opens the store (docs/storage.md), which it
    // does before it listens; nothing has been uploaded since.
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dataDir_ / "tmp", error)) {
        problems.push_back("after restart tmp/ still holds " + entry.path().filename().string());
    }
    if (error) {
        problems.push_back("cannot list tmp/: " + error.message());
    }
    std::multiset<std::string> onDisk;
    for (const auto& entry : fs::directory_iterator(dataDir_ / "files", error)) {
        onDisk.insert(sha256Hex(readWholeFile(entry.path())));
    }
    if (error) {
        problems.push_back("cannot list files/: " + error.message());
    }
    const std::multiset<std::string> stored = model_.fileDigests();
    if (onDisk != stored) {
        std::vector<std::string> extra, missing;
        std::set_difference(onDisk.begin(), onDisk.end(), stored.begin(), stored.end(),
                            std::back_inserter(extra));
        std::set_difference(stored.begin(), stored.end(), onDisk.begin(), onDisk.end(),
                            std::back_inserter(missing));
        problems.push_back("files/ holds " + std::to_string(onDisk.size()) + " blobs for " +
                           std::to_string(stored.size()) +
                           " stored files: " + std::to_string(extra.size()) +
                           " unreferenced (e.g. sha256 " + (extra.empty() ? "-" : extra.front()) +
                           "), " + std::to_string(missing.size()) + " missing (e.g. sha256 " +
                           (missing.empty() ? "-" : missing.front()) + ")");
    }
}

std::string CrashTest::checkWithAdmin(std::vector<std::string>& problems) {
    if (options_.adminCheck == "off") {
        return "dfp-admin check off";
    }
    if (!adminHasCheck_) {
        // Until dfp-admin implements `check` (issue 5) its help does not mention it; the
        // checks above through the protocol and the files stand in meanwhile.
        const CommandResult help = runCommand({options_.admin.string(), "--help"}, 30'000ms);
        adminHasCheck_ =
            help.started && !help.timedOut && help.output.find("check") != std::string::npos;
        if (!*adminHasCheck_) {
            if (options_.adminCheck == "on") {
                problems.push_back("--admin-check=on, but `" + options_.admin.string() +
                                   " --help` does not offer check: " + tail(help.output, 500));
            } else {
                std::cout << "note: " << options_.admin.string()
                          << " has no check command yet; skipping `dfp-admin check` (the "
                             "protocol and files/ checks still run)\n";
            }
        }
    }
    if (!*adminHasCheck_) {
        return "no dfp-admin check";
    }
    const CommandResult check = runCommand(
        {options_.admin.string(), "--data-dir=" + dataDir_.string(), "check"}, 120'000ms);
    if (!check.started || check.timedOut || check.exitCode != 0) {
        problems.push_back("dfp-admin --data-dir=" + dataDir_.string() + " check " +
                           (check.timedOut ? std::string("timed out")
                                           : "exited " + std::to_string(check.exitCode)) +
                           ":\n" + tail(check.output, 4000));
        return "dfp-admin check FAILED";
    }
    return "dfp-admin check clean";
}

void CrashTest::checkNumbering(LineClient& client, const std::string& tag,
                               std::vector<std::string>& problems) {
    // protocol.md §4: numbering continues across restarts, past every number ever seen.
    int index = 0;
    for (const std::string& title : model_.knownThreads()) {
        const std::string text = tag + "." + std::to_string(index++) + " numbering goes on";
        const ForumModel::PostTicket ticket = model_.sendPost(title, std::string(kVerifier), text);
        const Response response = expectCode(client, "MSG " + title + " " + text, {201});
        const std::optional<MessageNumber> number = parseNumber(response.field(1));
        if (!number) {
            problems.push_back("MSG answered " + test::printable(response.line));
            continue;
        }
        if (auto problem = model_.postDone(ticket, std::string(kVerifier), *number)) {
            problems.push_back(*problem);
        }
    }
}

void CrashTest::verify(const std::string& when) {
    std::vector<std::string> problems;
    LineClient client(server_->port(), kRequestTimeout, std::string(kVerifier));
    client.readGreeting();
    client.login(kVerifier, kVerifierPassword);

    ObservedForum observed;
    expectCode(client, "LST", {215});
    for (std::string& title : client.readBody()) {
        observed.titles.push_back(std::move(title));
    }
    for (const std::string& title : observed.titles) {
        expectCode(client, "RDT " + title, {210});
        ObservedThread& thread = observed.threads[title];
        for (const std::string& line : client.readBody()) {
            // protocol.md §4: `<n> <author>: <text>` or `<author> uploaded <file>`; our user
            // names never start with a digit, so the first token tells them apart.
            const std::size_t space = line.find(' ');
            std::optional<MessageNumber> number =
                space == std::string::npos ? std::nullopt : parseNumber(line.substr(0, space));
            if (number) {
                const std::size_t colon = line.find(": ", space + 1);
                if (colon == std::string::npos) {
                    problems.push_back("RDT " + title + " line " + test::printable(line) +
                                       " is neither a message nor an upload");
                    continue;
                }
                thread.messages.push_back(ObservedMessage{
                    *number, line.substr(space + 1, colon - space - 1), line.substr(colon + 2)});
                thread.order.push_back(*number);
                continue;
            }
            const std::string marker = " uploaded ";
            const std::size_t at = line.find(marker);
            if (at == std::string::npos) {
                problems.push_back("RDT " + title + " line " + test::printable(line) +
                                   " is neither a message nor an upload");
                continue;
            }
            thread.uploads.emplace_back(line.substr(0, at), line.substr(at + marker.size()));
        }
    }

    auto download = [&](const std::string& title,
                        const std::string& name) -> std::optional<Download> {
        const Response response = expectCode(client, "DWN " + title + " " + name, {211, 404});
        if (response.code == 404) {
            return std::nullopt;
        }
        const std::optional<MessageNumber> size = parseNumber(response.field(1));
        if (!size || *size < 0) {
            throw Failure("DWN answered " + test::printable(response.line));
        }
        Download got;
        got.sha256Field = response.field(2);
        got.bytes = client.readBytes(static_cast<std::size_t>(*size));
        return got;
    };
    Settled settled;
    std::vector<std::string> found = model_.reconcile(observed, download, settled);
    problems.insert(problems.end(), found.begin(), found.end());
    // After reconcile(), which settles the uploads and removals that were in flight; no
    // upload or removal has run since the restart.
    checkDataDirectory(problems);

    checkNumbering(client, "v." + when, problems);
    expectCode(client, "XIT", {221});
    const std::string adminVerdict = checkWithAdmin(problems);

    std::cout << "  " << when << ": " << settled.messages << " messages and " << settled.files
              << " files intact; in flight, applied/absent: MSG " << settled.postsApplied << "/"
              << settled.postsAbsent << ", EDT " << settled.editsApplied << "/"
              << settled.editsAbsent << ", DLT " << settled.deletesApplied << "/"
              << settled.deletesAbsent << ", UPD " << settled.uploadsApplied << "/"
              << settled.uploadsAbsent << ", RMF " << settled.removalsApplied << "/"
              << settled.removalsAbsent << "; " << adminVerdict << '\n';
    if (!problems.empty()) {
        std::lock_guard lock(mu_);
        for (std::string& problem : problems) {
            problems_.push_back(when + ": " + problem);
        }
    }
}

void CrashTest::stopCleanly() {
    server_->terminate(SIGTERM);
    const test::ExitStatus status = server_->expectExit(kStartTimeout);
    if (!status.isCleanZero()) {
        fail("dfp-server after SIGTERM: " + status.describe());
    }
}

int CrashTest::run() {
    if (options_.dataDir.empty()) {
        temp_ = std::make_unique<test::TempDir>();
        dataDir_ = temp_->path() / "data";
    } else {
        dataDir_ = options_.dataDir;
    }
    std::cout << "dfp-crash-test: seed=" << options_.seed << " rounds=" << options_.rounds
              << " clients=" << options_.clients << " sync=" << options_.sync
              << " data=" << dataDir_.string()
              << "\n  replay the same choices with --seed=" << options_.seed
              << " (thread timing still varies)\n";
    const auto started = Clock::now();
    try {
        startServer();
        for (int round = 1; round <= options_.rounds && !failed(); ++round) {
            workload(round);
            if (failed()) {
                break;
            }
            startServer();
            verify("after restart " + std::to_string(round));
        }
        if (!failed()) {
            stopCleanly();
            startServer();
            verify("after a clean stop");
            stopCleanly();
        }
    } catch (const std::exception& e) {
        fail(e.what());
    }

    const auto seconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() /
        1000.0;
    std::lock_guard lock(mu_);
    if (problems_.empty()) {
        std::cout << "dfp-crash-test: PASSED " << options_.rounds << " rounds, " << totalAcks_
                  << " acknowledged changes, in " << seconds << " s (seed=" << options_.seed
                  << ")\n";
        return 0;
    }
    std::cout << "dfp-crash-test: FAILED (seed=" << options_.seed << "), " << problems_.size()
              << " problem(s):\n";
    constexpr std::size_t kShown = 50;
    for (std::size_t i = 0; i < problems_.size() && i < kShown; ++i) {
        std::cout << "  - " << problems_[i] << '\n';
    }
    if (server_) {
        std::cout << "---- dfp-server log (tail) ----\n"
                  << tail(server_->log(), 16 * 1024) << "---- end of dfp-server log ----\n";
    }
    if (temp_) {
        std::cout << "(rerun with --data-dir=DIR --seed=" << options_.seed
                  << " to keep the data directory)\n";
    }
    return 1;
}

// ---------------------------------------------------------------------------------------------

bool parseInt(std::string_view text, long long min, long long max, long long& out) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size() && out >= min && out <= max;
}

int usage(const std::string& problem) {
    std::cerr << "dfp-crash-test: " << problem
              << "\nusage: dfp-crash-test [--rounds=N] [--seed=S] [--clients=N] [--max-acks=N]\n"
                 "                      [--sync=normal|full] [--server=PATH] [--admin=PATH]\n"
                 "                      [--admin-check=auto|on|off] [--data-dir=DIR]\n";
    return 2;
}

}  // namespace
}  // namespace dfp::crash

int main(int argc, char** argv) {
    using namespace dfp::crash;
    Options options;
    options.seed = std::random_device{}();
    options.seed = (options.seed << 32) ^ std::random_device{}();
    if (const char* server = std::getenv("DFP_TEST_SERVER"); server != nullptr && *server) {
        options.server = server;
    }
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const std::size_t eq = arg.find('=');
        const std::string_view name = arg.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? "" : arg.substr(eq + 1);
        long long number = 0;
        if (name == "--rounds" && parseInt(value, 1, 100000, number)) {
            options.rounds = static_cast<int>(number);
        } else if (name == "--seed" && !value.empty()) {
            std::uint64_t seed = 0;
            const auto [end, error] =
                std::from_chars(value.data(), value.data() + value.size(), seed);
            if (error != std::errc() || end != value.data() + value.size()) {
                return usage("--seed takes an unsigned number");
            }
            options.seed = seed;
        } else if (name == "--clients" && parseInt(value, 1, 200, number)) {
            options.clients = static_cast<int>(number);
        } else if (name == "--max-acks" && parseInt(value, 1, 1'000'000, number)) {
            options.maxAcks = static_cast<int>(number);
        } else if (name == "--sync" && (value == "normal" || value == "full")) {
            options.sync = value;
        } else if (name == "--server" && !value.empty()) {
            options.server = value;
        } else if (name == "--admin" && !value.empty()) {
            options.admin = value;
        } else if (name == "--admin-check" &&
                   (value == "auto" || value == "on" || value == "off")) {
            options.adminCheck = value;
        } else if (name == "--data-dir" && !value.empty()) {
            // The model starts empty, so the forum must too; the directory is kept afterwards.
            std::error_code error;
            if (std::filesystem::exists(value) && !std::filesystem::is_empty(value, error)) {
                return usage("--data-dir must be new or empty");
            }
            options.dataDir = value;
        } else if (arg == "--help" || arg == "-h") {
            usage("crash safety of dfp-server under SIGKILL (issue 7)");
            return 0;
        } else {
            return usage("bad argument " + std::string(arg));
        }
    }
    if (sodium_init() < 0) {
        std::cerr << "dfp-crash-test: sodium_init failed\n";
        return 1;
    }
    // A peer that vanishes mid-send must be an error from send(), not a SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    CrashTest test(std::move(options));
    return test.run();
}
