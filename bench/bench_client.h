#pragma once

// One bench client's DFP/1 session: sends a request, reads its reply through
// protocol::ResponseReader, has ReplyCheck judge it, and times it from just before the first
// byte is sent to the moment the last byte of the reply (body included) has been checked.
// Any problem ends in a failed Outcome, never an exception; a broken stream or an I/O error
// also closes the connection, and the caller connects again if it wants to go on.
//
// ReplyCheck's verdict depends only on the expectation and the reply's bytes. So the client
// keeps the last RDT or LST reply that passed it, and a later reply with the same expectation
// is compared with that byte for byte as it arrives: an identical reply
// passes without being parsed again, and at the first byte that differs the client parses
// and checks the reply from its start as usual. A client reading an unchanged thread over
// and over then spends a memcmp per reply rather than a parse per line, which on a machine
// the server shares keeps the measuring from eating the server's CPU.
// Movable, not copyable; one thread at a time.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/reply_check.h"
#include "bench/socket.h"
#include "protocol/response_reader.h"

namespace dfp::bench {

struct Outcome {
    bool ok = false;
    std::string problem;  // when !ok
    std::chrono::nanoseconds latency{0};
    // RDT, LST, DWN: until the first body line or byte.
    std::optional<std::chrono::nanoseconds> firstItem;
    std::uint64_t bytes = 0;  // body bytes received (RDT, LST, DWN) or file bytes sent (UPD)
    std::uint64_t bodyItems = 0;
};

// The bytes of a bench file: a 1 MiB pseudo-random block repeated up to the size, so that
// no compression or deduplication flatters a transfer, computed once with its digest.
class FileContent {
public:
    explicit FileContent(std::uint64_t size);

    std::uint64_t size() const { return size_; }
    const std::string& sha256() const { return sha256_; }
    // The file is block() repeated; the last copy is cut at size().
    std::string_view block() const { return block_; }

private:
    std::uint64_t size_;
    std::string block_;
    std::string sha256_;
};

class BenchClient {
public:
    BenchClient(const Endpoint& endpoint, Clock::duration timeout);

    // Connects and reads the greeting (200 DFP/1 ...); the latency covers both.
    Outcome connect();
    bool isConnected() const { return socket_.isOpen(); }
    void close();
    // After XIT's 221: waits (up to the timeout) for the server to close, so the session has
    // ended on both sides before the same user logs in again (protocol.md §3), then closes.
    // False if the server sent more or did not close in time.
    bool awaitClose();

    // One request line (without its LF) and its reply.
    Outcome request(std::string_view line, Expectation expectation);

    // USER then PASS, one round trip each. Returns the failed outcome, or the PASS outcome.
    Outcome login(std::string_view user, std::string_view password, bool newAccount,
                  Outcome* userOutcome = nullptr);

    // UPD with the digest, the bytes after 340, and the 201: one outcome for all of it.
    Outcome upload(std::string_view title, std::string_view file, const FileContent& content);

    // Pipelined requests (protocol.md §1), written a window at a time and their replies read
    // in order: builds large threads quickly before a measurement. Stops at the first
    // failure and returns its outcome; the last outcome otherwise. lines and expectations
    // have the same length.
    Outcome pipeline(const std::vector<std::string>& lines,
                     const std::vector<Expectation>& expectations);

private:
    // The last RDT or LST reply that passed its check, and what it was expected to be.
    struct CheckedReply {
        Expectation expectation;
        std::string bytes;  // status line, body and end line, as received
        // Bytes up to the end of the first body line (none for an empty body).
        std::optional<std::size_t> firstItemAt;
        std::uint64_t bodyItems = 0;
        std::uint64_t bodyBytes = 0;
    };

    // Reads and checks one reply; closes the connection if the stream cannot go on. An RDT or
    // LST reply that begins on a clean stream may be compared with checked_, or become it.
    Outcome await(Expectation expectation, Clock::time_point start);
    // Compares the reply as it arrives with checked_: its outcome if the whole of it matches.
    // Otherwise nullopt, once every byte received is fed (into received too), so that the
    // reply is parsed from its first byte.
    std::optional<Outcome> awaitRepeat(Clock::time_point start, std::string& received);
    // Gives bytes to the reader and, while the reply may be kept (received not null, and not
    // past the size kept), appends them to received.
    void feed(std::string_view bytes, std::string* received);
    Outcome failure(std::string problem, Clock::time_point start);

    const Endpoint* endpoint_;
    Clock::duration timeout_;
    Socket socket_;
    protocol::ResponseReader reader_;
    protocol::ResponseEvent event_;  // reused: a body's lines are read without allocating
    std::vector<char> buffer_;
    std::string line_;  // reused for the request line and its LF
    std::optional<CheckedReply> checked_;
};

}  // namespace dfp::bench
