#include "bench/bench_client.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "bench/sha256.h"

namespace dfp::bench {
namespace {

constexpr std::size_t kBlockSize = 1 << 20;
constexpr std::size_t kReceiveBuffer = 256 * 1024;
// Large binary chunks: each event is a copy, and a download is counted in gigabytes.
constexpr std::size_t kMaxChunk = 1 << 20;
constexpr std::size_t kPipelineWindow = 128;
// A reply kept for comparison is at most this big (a listing of some thousands of threads).
constexpr std::size_t kMaxCheckedReply = 1 << 20;

std::chrono::nanoseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
}

}  // namespace

FileContent::FileContent(std::uint64_t size) : size_(size) {
    // xorshift64: reproducible bytes without a dependency; quality does not matter here.
    block_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(size, kBlockSize)));
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (std::size_t i = 0; i < block_.size(); ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        block_[i] = static_cast<char>(state >> 56);
    }
    Sha256 sha;
    for (std::uint64_t done = 0; done < size_;) {
        const std::size_t piece =
            static_cast<std::size_t>(std::min<std::uint64_t>(block_.size(), size_ - done));
        sha.update(std::string_view(block_).substr(0, piece));
        done += piece;
    }
    sha256_ = sha.hex();
}

BenchClient::BenchClient(const Endpoint& endpoint, Clock::duration timeout)
    : endpoint_(&endpoint), timeout_(timeout), buffer_(kReceiveBuffer) {}

void BenchClient::close() {
    socket_.close();
    reader_ = protocol::ResponseReader();
}

bool BenchClient::awaitClose() {
    bool clean = reader_.buffered() == 0;
    try {
        while (socket_.isOpen()) {
            const std::size_t got = socket_.receive(buffer_.data(), buffer_.size(), timeout_);
            if (got == 0) {
                break;
            }
            clean = false;
        }
    } catch (const IoError&) {
        clean = false;
    }
    close();
    return clean;
}

Outcome BenchClient::failure(std::string problem, Clock::time_point start) {
    Outcome outcome;
    outcome.problem = std::move(problem);
    outcome.latency = since(start);
    return outcome;
}

Outcome BenchClient::connect() {
    close();
    const auto start = Clock::now();
    try {
        socket_ = Socket::connect(*endpoint_, timeout_);
    } catch (const IoError& e) {
        return failure(std::string("CONNECT: ") + e.what(), start);
    }
    return await(expectGreeting(), start);
}

Outcome BenchClient::request(std::string_view line, Expectation expectation) {
    const auto start = Clock::now();
    if (!socket_.isOpen()) {
        return failure(std::string(commandName(expectation.command)) + ": not connected", start);
    }
    line_.assign(line);
    line_ += '\n';
    try {
        socket_.sendAll(line_, timeout_);
    } catch (const IoError& e) {
        close();
        return failure(std::string(commandName(expectation.command)) + ": " + e.what(), start);
    }
    return await(std::move(expectation), start);
}

Outcome BenchClient::login(std::string_view user, std::string_view password, bool newAccount,
                           Outcome* userOutcome) {
    Outcome sent = request("USER " + std::string(user), expectUser(newAccount));
    if (userOutcome != nullptr) {
        *userOutcome = sent;
    }
    if (!sent.ok) {
        return sent;
    }
    return request("PASS " + std::string(password), expectPass(user, newAccount));
}

Outcome BenchClient::upload(std::string_view title, std::string_view file,
                            const FileContent& content) {
    const auto start = Clock::now();
    const std::string line = "UPD " + std::string(title) + " " + std::string(file) + " " +
                             std::to_string(content.size()) + " " + content.sha256();
    Outcome accepted = request(line, expectSendBytes(content.size()));
    if (!accepted.ok) {
        accepted.latency = since(start);
        return accepted;
    }
    try {
        for (std::uint64_t sent = 0; sent < content.size();) {
            const std::size_t piece = static_cast<std::size_t>(
                std::min<std::uint64_t>(content.block().size(), content.size() - sent));
            socket_.sendAll(content.block().substr(0, piece), timeout_);
            sent += piece;
        }
    } catch (const IoError& e) {
        close();
        return failure(std::string("UPD: ") + e.what(), start);
    }
    Outcome done = await(expectUploaded(file, content.size()), start);
    if (done.ok) {
        done.bytes = content.size();
    }
    return done;
}

Outcome BenchClient::pipeline(const std::vector<std::string>& lines,
                              const std::vector<Expectation>& expectations) {
    const auto start = Clock::now();
    Outcome last;
    // In windows: while we only write, the server's replies pile up in our receive buffer,
    // and once that is full it stops reading ours. A window's replies fit with room to spare.
    for (std::size_t first = 0; first < lines.size(); first += kPipelineWindow) {
        const std::size_t end = std::min(lines.size(), first + kPipelineWindow);
        std::string batch;
        for (std::size_t i = first; i < end; ++i) {
            batch += lines[i];
            batch += '\n';
        }
        try {
            socket_.sendAll(batch, timeout_);
        } catch (const IoError& e) {
            close();
            return failure(std::string("pipeline: ") + e.what(), start);
        }
        for (std::size_t i = first; i < end; ++i) {
            last = await(expectations[i], start);
            if (!last.ok) {
                return last;
            }
        }
    }
    return last;
}

Outcome BenchClient::await(Expectation expectation, Clock::time_point start) {
    const Command command = expectation.command;
    // Only a reply that starts on a clean stream can be kept whole, or compared whole.
    const bool keepable = (command == Command::Rdt || command == Command::Lst) &&
                          reader_.buffered() == 0 && !reader_.inBody();
    // While keepable, the bytes fed since the reply began (see feed()).
    std::string received;
    std::string* const keeping = keepable ? &received : nullptr;
    std::optional<Expectation> kept;
    Outcome outcome;
    std::optional<std::size_t> firstItemAt;
    try {
        if (keepable && checked_ && checked_->expectation == expectation) {
            if (std::optional<Outcome> repeated = awaitRepeat(start, received)) {
                return *repeated;
            }
        }
        if (keepable) {
            kept = expectation;  // a reply that passes becomes checked_
        }
        ReplyCheck check(std::move(expectation));
        for (;;) {
            while (reader_.next(event_, kMaxChunk)) {
                const bool done = check.take(event_);
                if (!outcome.firstItem && check.bodyStarted()) {
                    outcome.firstItem = since(start);
                    if (keepable) {
                        firstItemAt = received.size() - reader_.buffered();
                    }
                }
                if (done) {
                    outcome.latency = since(start);
                    outcome.ok = check.ok();
                    outcome.problem = check.problem();
                    outcome.bodyItems = check.bodyItems();
                    outcome.bytes = outcome.ok ? check.bodyBytes() : 0;
                    if (check.broken()) {
                        close();
                    }
                    if (keepable && outcome.ok && received.size() <= kMaxCheckedReply) {
                        received.resize(received.size() - reader_.buffered());
                        checked_ = CheckedReply{std::move(*kept), std::move(received), firstItemAt,
                                                outcome.bodyItems, outcome.bytes};
                    }
                    return outcome;
                }
            }
            const std::size_t got = socket_.receive(buffer_.data(), buffer_.size(), timeout_);
            if (got == 0) {
                close();
                return failure(
                    std::string(commandName(command)) + ": the server closed the connection",
                    start);
            }
            feed(std::string_view(buffer_.data(), got), keeping);
        }
    } catch (const IoError& e) {
        close();
        return failure(std::string(commandName(command)) + ": " + e.what(), start);
    }
}

void BenchClient::feed(std::string_view bytes, std::string* received) {
    reader_.feed(bytes);
    if (received != nullptr && received->size() <= kMaxCheckedReply) {
        received->append(bytes);
    }
}

std::optional<Outcome> BenchClient::awaitRepeat(Clock::time_point start, std::string& received) {
    const std::string_view expected = checked_->bytes;
    Outcome outcome;
    std::size_t matched = 0;
    for (;;) {
        const std::size_t got = socket_.receive(buffer_.data(), buffer_.size(), timeout_);
        const std::string_view bytes(buffer_.data(), got);
        const std::size_t compared = std::min(bytes.size(), expected.size() - matched);
        if (got == 0 || std::memcmp(bytes.data(), expected.data() + matched, compared) != 0) {
            feed(expected.substr(0, matched), &received);
            feed(bytes, &received);
            return std::nullopt;
        }
        matched += compared;
        if (!outcome.firstItem && checked_->firstItemAt && matched >= *checked_->firstItemAt) {
            outcome.firstItem = since(start);
        }
        if (matched == expected.size()) {
            outcome.latency = since(start);
            outcome.ok = true;
            outcome.bodyItems = checked_->bodyItems;
            outcome.bytes = checked_->bodyBytes;
            // What follows belongs to the next reply (or is a notice): the reader gets it.
            reader_.feed(bytes.substr(compared));
            return outcome;
        }
    }
}

}  // namespace dfp::bench
