#include "bench/reply_check.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "bench/sha256.h"
#include "protocol/request.h"
#include "protocol/validators.h"

namespace dfp::bench {

using protocol::ResponseEvent;
using Kind = ResponseEvent::Kind;

namespace {

constexpr int kEntries = 210;
constexpr int kFileFollows = 211;
constexpr int kListing = 215;

// Quoting more of a bad reply than this does not help anyone read the error.
constexpr std::size_t kQuoteLimit = 120;

std::string quote(std::string_view text) {
    std::string out = "'";
    out.append(text.substr(0, kQuoteLimit));
    if (text.size() > kQuoteLimit) {
        out += "...";
    }
    out += "'";
    return out;
}

std::string describe(const ResponseEvent& event) {
    return std::to_string(event.code) + (event.text.empty() ? "" : " " + event.text);
}

bool isLowerHex64(std::string_view text) {
    if (text.size() != 64) {
        return false;
    }
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

Expectation make(Command command, int code) {
    Expectation e;
    e.command = command;
    e.code = code;
    return e;
}

}  // namespace

std::string_view commandName(Command command) {
    switch (command) {
        case Command::Connect:
            return "CONNECT";
        case Command::User:
            return "USER";
        case Command::Pass:
            return "PASS";
        case Command::Crt:
            return "CRT";
        case Command::Msg:
            return "MSG";
        case Command::Rdt:
            return "RDT";
        case Command::Lst:
            return "LST";
        case Command::Upd:
            return "UPD";
        case Command::Dwn:
            return "DWN";
        case Command::Rmf:
            return "RMF";
        case Command::Xit:
            return "XIT";
    }
    return "?";
}

Expectation expectGreeting() {
    return make(Command::Connect, 200);
}

Expectation expectUser(bool newAccount) {
    return make(Command::User, newAccount ? 332 : 331);
}

Expectation expectPass(std::string_view user, bool newAccount) {
    Expectation e = make(Command::Pass, newAccount ? 231 : 230);
    e.name = user;
    return e;
}

Expectation expectThreadCreated(std::string_view title) {
    Expectation e = make(Command::Crt, 201);
    e.name = title;
    return e;
}

Expectation expectPosted(std::optional<std::uint64_t> number) {
    Expectation e = make(Command::Msg, 201);
    e.number = number;
    return e;
}

Expectation expectEntries(std::optional<std::uint64_t> count) {
    Expectation e = make(Command::Rdt, kEntries);
    e.number = count;
    return e;
}

Expectation expectListing(std::uint64_t atLeast, std::string listed) {
    Expectation e = make(Command::Lst, kListing);
    e.atLeast = atLeast;
    e.listed = std::move(listed);
    return e;
}

Expectation expectSendBytes(std::uint64_t size) {
    Expectation e = make(Command::Upd, 340);
    e.number = size;
    return e;
}

Expectation expectUploaded(std::string_view file, std::uint64_t size) {
    Expectation e = make(Command::Upd, 201);
    e.name = file;
    e.number = size;
    e.uploadDone = true;
    return e;
}

Expectation expectFile(std::string_view file, std::uint64_t size, std::string sha256,
                       std::string_view pattern) {
    Expectation e = make(Command::Dwn, kFileFollows);
    e.name = file;
    e.number = size;
    e.sha256 = std::move(sha256);
    e.pattern = pattern;
    return e;
}

Expectation expectRemoved(std::string_view file) {
    Expectation e = make(Command::Rmf, 200);
    e.name = file;
    return e;
}

Expectation expectGoodbye() {
    return make(Command::Xit, 221);
}

ReplyCheck::ReplyCheck(Expectation expectation) : expect_(std::move(expectation)) {}
ReplyCheck::~ReplyCheck() = default;
ReplyCheck::ReplyCheck(ReplyCheck&&) noexcept = default;
ReplyCheck& ReplyCheck::operator=(ReplyCheck&&) noexcept = default;

void ReplyCheck::fail(std::string problem) {
    if (problem_.empty()) {
        problem_ = std::string(commandName(expect_.command)) + ": " + std::move(problem);
    }
}

bool ReplyCheck::take(const ResponseEvent& event) {
    if (done_) {
        return true;
    }
    switch (event.kind) {
        case Kind::Malformed:
            fail("malformed reply " + quote(event.text));
            broken_ = true;
            done_ = true;
            break;
        case Kind::Notice:
            // protocol.md §5: a notice means the server is closing this session; whatever
            // was asked is not done.
            fail("notice " + quote(describe(event)));
            broken_ = true;
            done_ = true;
            break;
        case Kind::Status:
            if (haveStatus_) {
                fail("a second status line " + quote(describe(event)));
                broken_ = true;
                done_ = true;
                break;
            }
            status_ = event;
            haveStatus_ = true;
            checkStatus(event);
            // Only these codes carry a body (protocol.md §2); the reader is now inside it.
            done_ =
                !(event.code == kEntries || event.code == kListing || event.code == kFileFollows);
            break;
        case Kind::BodyLine:
            bodyStarted_ = true;
            ++bodyItems_;
            bodyBytes_ += event.text.size() + 1;
            if (problem_.empty()) {
                checkBodyLine(event.text);
            }
            break;
        case Kind::BodyEnd:
            if (problem_.empty()) {
                checkBodyEnd();
            }
            done_ = true;
            break;
        case Kind::BinaryData:
            bodyStarted_ = true;
            if (sha_) {
                sha_->update(event.text);
            } else if (!expect_.pattern.empty() && problem_.empty()) {
                compareWithPattern(event.text, bodyBytes_);
            }
            bodyItems_ += event.text.size();
            bodyBytes_ += event.text.size();
            break;
        case Kind::BinaryEnd:
            bodyStarted_ = true;
            if (problem_.empty()) {
                checkBinaryEnd();
            }
            done_ = true;
            break;
    }
    return done_;
}

void ReplyCheck::checkStatus(const ResponseEvent& event) {
    if (event.code != expect_.code) {
        fail("refused: " + quote(describe(event)));
        return;
    }
    const auto& fields = event.fields;
    auto field = [&](std::size_t i) -> std::string_view {
        return i < fields.size() ? std::string_view(fields[i]) : std::string_view();
    };
    switch (expect_.command) {
        case Command::Connect:
            if (field(0) != "DFP/1") {
                fail("greeting does not name DFP/1: " + quote(describe(event)));
            }
            break;
        case Command::Pass:
            if (field(0) != expect_.name) {
                fail("logged in as " + quote(field(0)) + ", not " + quote(expect_.name));
            }
            break;
        case Command::Crt:
            if (field(0) != expect_.name) {
                fail("created " + quote(field(0)) + ", not " + quote(expect_.name));
            }
            break;
        case Command::Msg: {
            const std::optional<long long> number = protocol::parseMessageNumber(field(0));
            if (!number || *number <= 0) {
                fail("no message number in " + quote(describe(event)));
            } else if (expect_.number && static_cast<std::uint64_t>(*number) != *expect_.number) {
                // Numbers are per thread and never reused (protocol.md §4): in a thread only
                // this client posts to, the k-th post must be number k.
                fail("message got number " + std::to_string(*number) + ", expected " +
                     std::to_string(*expect_.number));
            }
            break;
        }
        case Command::Rdt:
        case Command::Lst: {
            const std::optional<unsigned long long> count = protocol::parseSize(field(0));
            if (!count) {
                fail("no count in " + quote(describe(event)));
                break;
            }
            announced_ = *count;
            if (expect_.number && *count != *expect_.number) {
                fail("announced " + std::to_string(*count) + " entries, expected " +
                     std::to_string(*expect_.number));
            } else if (*count < expect_.atLeast) {
                fail("announced " + std::to_string(*count) + " threads, expected at least " +
                     std::to_string(expect_.atLeast));
            }
            break;
        }
        case Command::Upd: {
            if (expect_.uploadDone && field(0) != expect_.name) {
                fail("uploaded " + quote(field(0)) + ", not " + quote(expect_.name));
                break;
            }
            const std::string_view size = expect_.uploadDone ? field(1) : field(0);
            if (protocol::parseSize(size) != expect_.number) {
                fail("size " + quote(size) + " is not " + std::to_string(*expect_.number));
            }
            break;
        }
        case Command::Dwn: {
            const std::optional<unsigned long long> size = protocol::parseSize(field(0));
            announced_ = size;
            announcedSha_ = field(1);
            if (!size || (expect_.number && *size != *expect_.number)) {
                fail("size " + quote(field(0)) + " is not " +
                     std::to_string(expect_.number.value_or(0)));
            } else if (!isLowerHex64(announcedSha_)) {
                fail("no lower-case sha256 in " + quote(describe(event)));
            } else if (!expect_.sha256.empty() && announcedSha_ != expect_.sha256) {
                fail("server announces sha256 " + announcedSha_ + ", the file has " +
                     expect_.sha256);
            } else if (field(2) != expect_.name) {
                fail("sends " + quote(field(2)) + ", not " + quote(expect_.name));
            }
            if (problem_.empty() && expect_.pattern.empty()) {
                sha_ = std::make_unique<Sha256>();
            }
            break;
        }
        case Command::Rmf:
            // `200 file <file> removed` (protocol.md §4)
            if (field(0) != "file" || field(1) != expect_.name) {
                fail("removed " + quote(describe(event)) + ", not the file " + quote(expect_.name));
            }
            break;
        case Command::User:
        case Command::Xit:
            break;
    }
}

// RDT lines (protocol.md §4): `<n> <author>: <text>` for a message, `<author> uploaded <file>`
// for a file. Numbers only grow, as numbers are never reused and the body is in posting order.
void ReplyCheck::checkBodyLine(std::string_view line) {
    if (expect_.command == Command::Lst) {
        if (protocol::checkTitle(line)) {
            fail("listed title is not a valid title: " + quote(line));
        }
        if (!sawListed_ && !expect_.listed.empty() && line == expect_.listed) {
            sawListed_ = true;
        }
        return;
    }
    if (expect_.command != Command::Rdt) {
        return;
    }
    // Plain loops rather than find(): the words scanned are a few bytes long, and a line is
    // checked for every message of every RDT, where memchr's setup costs more than the scan.
    std::size_t firstSpace = 0;
    while (firstSpace < line.size() && line[firstSpace] != ' ') {
        ++firstSpace;
    }
    if (firstSpace == line.size()) {
        fail("thread line without a space: " + quote(line));
        return;
    }
    const std::string_view first = line.substr(0, firstSpace);
    // The author runs from there to the first byte a user name cannot hold, which for a
    // message is the colon of ": "; a user name has 1 to kMaxUsername bytes.
    const std::size_t authorAt = firstSpace + 1;
    const std::size_t authorLimit = std::min(line.size(), authorAt + protocol::kMaxUsername + 1);
    std::size_t colon = authorAt;
    while (colon < authorLimit && protocol::isUsernameByte(line[colon])) {
        ++colon;
    }
    const bool author = colon > authorAt && colon - authorAt <= protocol::kMaxUsername &&
                        colon + 1 < line.size() && line[colon] == ':' && line[colon + 1] == ' ';
    if (const std::optional<long long> number = protocol::parseMessageNumber(first);
        number && author) {
        const auto n = static_cast<std::uint64_t>(*number);
        if (n <= lastMessageNumber_) {
            fail("message " + std::to_string(n) + " after message " +
                 std::to_string(lastMessageNumber_));
        } else if (colon + 2 >= line.size()) {
            fail("message line without text: " + quote(line));
        }
        lastMessageNumber_ = n;
        return;
    }
    constexpr std::string_view kUploaded = " uploaded ";
    if (!protocol::checkUsername(first) && line.substr(firstSpace).starts_with(kUploaded) &&
        !protocol::checkFileName(line.substr(firstSpace + kUploaded.size()))) {
        return;
    }
    fail("thread line is neither a message nor a file: " + quote(line));
}

void ReplyCheck::checkBodyEnd() {
    if (announced_ && bodyItems_ != *announced_) {
        fail("announced " + std::to_string(*announced_) + " entries, sent " +
             std::to_string(bodyItems_));
    } else if (!expect_.listed.empty() && !sawListed_) {
        fail("thread " + quote(expect_.listed) + " is not listed");
    }
}

// Compares body bytes starting at offset `at` of the body with the expected content.
void ReplyCheck::compareWithPattern(std::string_view bytes, std::uint64_t at) {
    const std::string_view block = expect_.pattern;
    while (!bytes.empty()) {
        const std::size_t in = static_cast<std::size_t>(at % block.size());
        const std::size_t n = std::min(bytes.size(), block.size() - in);
        if (std::memcmp(bytes.data(), block.data() + in, n) != 0) {
            std::size_t i = 0;
            while (bytes[i] == block[in + i]) {
                ++i;
            }
            fail("byte " + std::to_string(at + i) + " differs from the file's");
            return;
        }
        bytes.remove_prefix(n);
        at += n;
    }
}

void ReplyCheck::checkBinaryEnd() {
    if (announced_ && bodyItems_ != *announced_) {
        fail("announced " + std::to_string(*announced_) + " bytes, sent " +
             std::to_string(bodyItems_));
        return;
    }
    if (!sha_) {
        return;  // compared byte for byte, or the status line was refused
    }
    const std::string actual = sha_->hex();
    if (actual != announcedSha_) {
        fail("bytes hash to " + actual + ", not the announced " + announcedSha_);
    }
}

}  // namespace dfp::bench
