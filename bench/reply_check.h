#pragma once

// Decides whether one reply is the success a bench operation expects (docs/protocol.md §2-§4).
// It takes the events of protocol::ResponseReader one by one, so that a body of any size is
// checked as it streams by and never kept: a line body's count must match its lines and each
// line must have the shape its command gives; a binary body must hash to the digest of its
// status line (and to the one the bench uploaded). A refused reply (any other code), a
// malformed one, or a 6xx notice is a problem: the operation failed, whatever came after.
// Pure: no sockets, no clock. Not thread-safe; one per reply.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/response_reader.h"

namespace dfp::bench {

class Sha256;

enum class Command { Connect, User, Pass, Crt, Msg, Rdt, Lst, Upd, Dwn, Rmf, Xit };

std::string_view commandName(Command command);

struct Expectation {
    Command command = Command::Connect;
    int code = 0;  // the one success code
    // CRT: the title; PASS: the user name; UPD (after the bytes), DWN and RMF: the file name.
    std::string name;
    // MSG: the number the message must get; RDT and LST: the exact count; UPD and DWN: size.
    std::optional<std::uint64_t> number;
    std::uint64_t atLeast = 0;  // LST: the fewest threads there may be
    std::string listed;         // LST: a title that must be among them
    std::string sha256;         // DWN: the digest the bytes must have (lower-case hex)
    // DWN: when the bench knows the bytes, the body is this block repeated (the last copy cut
    // at the size). Each byte is compared with it instead of hashing the body, which keeps a
    // 1 GiB download from spending a core on SHA-256. Not owned: it outlives the check.
    std::string_view pattern;
    bool uploadDone = false;  // UPD: the 201 after the bytes, not the 340 before them

    bool operator==(const Expectation&) const = default;
};

Expectation expectGreeting();
Expectation expectUser(bool newAccount);
Expectation expectPass(std::string_view user, bool newAccount);
Expectation expectThreadCreated(std::string_view title);
Expectation expectPosted(std::optional<std::uint64_t> number = std::nullopt);
Expectation expectEntries(std::optional<std::uint64_t> count = std::nullopt);
Expectation expectListing(std::uint64_t atLeast = 0, std::string listed = {});
Expectation expectSendBytes(std::uint64_t size);
Expectation expectUploaded(std::string_view file, std::uint64_t size);
Expectation expectFile(std::string_view file, std::uint64_t size, std::string sha256 = {},
                       std::string_view pattern = {});
Expectation expectRemoved(std::string_view file);
Expectation expectGoodbye();

class ReplyCheck {
public:
    explicit ReplyCheck(Expectation expectation);
    ~ReplyCheck();
    ReplyCheck(ReplyCheck&&) noexcept;
    ReplyCheck& operator=(ReplyCheck&&) noexcept;

    // Takes the next event of this reply. Returns true once the reply is complete (its status
    // line, and its body if it has one); events after that belong to the next reply.
    bool take(const protocol::ResponseEvent& event);

    bool done() const { return done_; }
    bool ok() const { return done_ && problem_.empty(); }
    const std::string& problem() const { return problem_; }
    // The connection cannot go on: a malformed reply (framing is lost) or a 6xx notice (the
    // server is closing it).
    bool broken() const { return broken_; }
    // A body line or body byte has arrived (for the time to the first line of RDT and LST).
    bool bodyStarted() const { return bodyStarted_; }
    std::uint64_t bodyItems() const { return bodyItems_; }  // lines, or bytes of a binary body
    // Bytes of the body as they came: line text with its LF, or the binary bytes.
    std::uint64_t bodyBytes() const { return bodyBytes_; }
    const protocol::ResponseEvent& status() const { return status_; }

private:
    void fail(std::string problem);
    void checkStatus(const protocol::ResponseEvent& event);
    void checkBodyLine(std::string_view line);
    void checkBodyEnd();
    void checkBinaryEnd();
    void compareWithPattern(std::string_view bytes, std::uint64_t at);

    Expectation expect_;
    protocol::ResponseEvent status_;
    bool haveStatus_ = false;
    bool done_ = false;
    bool broken_ = false;
    bool bodyStarted_ = false;
    std::string problem_;
    std::optional<std::uint64_t> announced_;  // 210/215 count, 211 size
    std::uint64_t bodyItems_ = 0;
    std::uint64_t bodyBytes_ = 0;
    std::uint64_t lastMessageNumber_ = 0;
    bool sawListed_ = false;
    std::string announcedSha_;
    std::unique_ptr<Sha256> sha_;
};

}  // namespace dfp::bench
