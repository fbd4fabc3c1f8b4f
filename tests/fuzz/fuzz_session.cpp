// Fuzzes the session state machine (server::Session, STYLE.md §2) over the in-memory
// FakeForumStore, as a connection would drive it, with two sessions sharing one forum.
//
// The input is a list of LF-ended lines, each given to the current session as one request,
// except lines starting with a control byte:
//   \x01 a line that was too long (LineEvent::TooLong)      \x02 switch to the other session
//   \x03 the store's next call throws (a broken database)   \x04 the next upload write: disk full
//   \x05 the current connection drops (a new one takes its place)
// After a 340 the next <size> bytes of the input are the upload, in pieces; if the input ends
// first the connection is lost mid-upload (abandonUpload).
//
// Invariants: every request gets exactly one reply, a status line plus the body its code
// announces (210/215: dot-stuffed lines ending in ".", as many as the count says; 211: exactly
// <size> bytes) and nothing after it; no status or body line holds a CR; the code is one
// protocol.md allows for that request in that state; 340 comes with ReceiveUpload of the size
// it names, and Close exactly with 221, 250 or 429; the only exception is the injected one.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sodium.h>

#include "fuzz/fuzz_input.h"
#include "protocol/commands.h"
#include "protocol/request.h"
#include "server/login_throttle.h"
#include "server/session.h"
#include "server/session_registry.h"
#include "support/fake_store.h"
#include "support/string_sink.h"

using dfp::test::StringSink;

namespace {

using dfp::fuzz::FuzzInput;
using dfp::protocol::LineEvent;
using dfp::protocol::Verb;
using dfp::server::Next;
using dfp::server::Session;

constexpr std::uint64_t kMaxFileSize = 4096;
constexpr std::string_view kInjected = "injected storage failure";

struct Parsed {
    int code = 0;
    std::vector<std::string> tokens;  // of the status line; tokens[0] is the code
};

std::vector<std::string> split(std::string_view line) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < line.size()) {
        const std::size_t start = line.find_first_not_of(' ', at);
        if (start == std::string_view::npos) {
            break;
        }
        const std::size_t end = std::min(line.find(' ', start), line.size());
        out.emplace_back(line.substr(start, end - start));
        at = end;
    }
    return out;
}

// Exactly one reply, whole: returns its code and the tokens of its status line.
Parsed parseReply(const std::string& out, const std::string& request) {
    const std::string context =
        "request [" + request.substr(0, 80) + "] reply [" + out.substr(0, 200) + "]";
    const std::size_t lf = out.find('\n');
    DFP_FUZZ_CHECK(lf != std::string::npos, "no reply line: " + context);
    const std::string_view status(out.data(), lf);
    DFP_FUZZ_CHECK(status.find('\r') == std::string_view::npos, "CR in a reply: " + context);
    DFP_FUZZ_CHECK(status.size() >= 3 && std::isdigit(static_cast<unsigned char>(status[0])) &&
                       std::isdigit(static_cast<unsigned char>(status[1])) &&
                       std::isdigit(static_cast<unsigned char>(status[2])) &&
                       (status.size() == 3 || status[3] == ' '),
                   "not a status line: " + context);
    Parsed parsed;
    parsed.code = std::stoi(std::string(status.substr(0, 3)));
    parsed.tokens = split(status);
    std::string_view rest = std::string_view(out).substr(lf + 1);

    if (parsed.code == 210 || parsed.code == 215) {
        std::uint64_t lines = 0;
        for (;;) {
            const std::size_t end = rest.find('\n');
            DFP_FUZZ_CHECK(end != std::string_view::npos, "line body not ended: " + context);
            const std::string_view line = rest.substr(0, end);
            rest.remove_prefix(end + 1);
            DFP_FUZZ_CHECK(line.find('\r') == std::string_view::npos, "CR in a body: " + context);
            if (line == ".") {
                break;
            }
            // protocol.md §2: a body line that begins with "." is sent with one more.
            DFP_FUZZ_CHECK(line.empty() || line[0] != '.' || (line.size() >= 2 && line[1] == '.'),
                           "body line not dot-stuffed: " + context);
            ++lines;
        }
        DFP_FUZZ_CHECK(parsed.tokens.size() >= 2 && parsed.tokens[1] == std::to_string(lines),
                       "body count differs from its lines: " + context);
    } else if (parsed.code == 211) {
        DFP_FUZZ_CHECK(parsed.tokens.size() >= 4, "211 without size, sha256, name: " + context);
        const auto size = dfp::protocol::parseSize(parsed.tokens[1]);
        DFP_FUZZ_CHECK(size && *size == rest.size(), "binary body size: " + context);
        rest = {};
    }
    DFP_FUZZ_CHECK(rest.empty(), "bytes after the reply: " + context);
    return parsed;
}

// The codes protocol.md §3-§4 lists for each request, once it has passed the gate.
std::set<int> allowedCodes(Verb verb) {
    switch (verb) {
        case Verb::User:
            return {331, 332, 400, 403, 429};
        case Verb::Pass:
            return {230, 231, 400, 401, 409, 429};
        case Verb::Sht:
            return {250, 403, 429};
        case Verb::Xit:
            return {221};
        case Verb::Ping:
            return {200};
        case Verb::Capa:
        case Verb::Help:
        case Verb::Lst:
            return {215};
        case Verb::Crt:
            return {201, 400, 409};
        case Verb::Msg:
            return {201, 400, 404, 413};
        case Verb::Dlt:
        case Verb::Rmf:
        case Verb::Rmv:
            return {200, 400, 403, 404};
        case Verb::Edt:
            return {200, 400, 403, 404, 413};
        case Verb::Rdt:
            return {210, 400, 404};
        case Verb::Upd:
            return {340, 400, 404, 409, 413};
        case Verb::Dwn:
            return {211, 400, 404};
    }
    return {};
}

// The gate's answer (protocol.md §3), or nullopt if the request reaches its handler.
std::optional<int> gateCode(const LineEvent& event, bool loggedIn,
                            const dfp::protocol::Request& r) {
    if (event.kind == LineEvent::Kind::TooLong) {
        return 414;
    }
    if (!r.validUtf8 || r.spec == nullptr) {
        return 400;
    }
    if (!loggedIn && !r.spec->beforeLogin) {
        return 401;
    }
    if (!r.arityOk) {
        return 400;
    }
    return std::nullopt;
}

bool isInjected(const std::exception& e) {
    return std::string_view(e.what()) == kInjected;
}

struct Forum {
    explicit Forum(bool registrationOpen) {
        config.adminPassword = "admin secret";
        config.maxFileSize = kMaxFileSize;
        config.registrationOpen = registrationOpen;
        store.maxFileSize = kMaxFileSize;
    }
    dfp::server::ServerConfig config;
    dfp::test::FakeForumStore store;
    dfp::server::SessionRegistry registry{100, 10};
    // Small limits, so that inputs reach the 429 paths.
    dfp::server::LoginThrottle throttle{{6, 4, std::chrono::seconds(300)}};
    dfp::server::ServerContext context{config, store, registry, throttle};
};

class Driver {
public:
    Driver(Forum& forum, FuzzInput& input) : forum_(forum), input_(input) {
        sessions_[0] = fresh();
        sessions_[1] = fresh();
    }

    void run() {
        while (!input_.done()) {
            const std::string_view line = input_.line();
            if (!line.empty() && line[0] >= '\x02' && line[0] <= '\x05') {
                control(line[0]);
                continue;
            }
            const LineEvent event = !line.empty() && line[0] == '\x01'
                                        ? LineEvent{LineEvent::Kind::TooLong, {}}
                                        : LineEvent{LineEvent::Kind::Line, std::string(line)};
            request(event);
        }
    }

private:
    std::unique_ptr<Session> fresh() {
        return std::make_unique<Session>(forum_.context, "192.0.2." + std::to_string(++peers_ % 3));
    }

    void control(char which) {
        switch (which) {
            case '\x02':
                current_ ^= 1;
                break;
            case '\x03':
                forum_.store.throwOnNextCall();
                break;
            case '\x04':
                forum_.store.failNextWrite();
                break;
            default:
                sessions_[current_] = fresh();
                break;
        }
    }

    // The connection's catch-all: the session ends (500), a new connection takes its place.
    void lost() { sessions_[current_] = fresh(); }

    void request(const LineEvent& event) {
        Session& session = *sessions_[current_];
        const bool loggedIn = !session.user().empty();
        const dfp::protocol::Request parsed = dfp::protocol::parseRequest(event.text);
        Next next;
        try {
            next = session.handle(event, sink_);
        } catch (const std::runtime_error& e) {
            if (!isInjected(e)) {
                throw;
            }
            sink_.take();
            lost();
            return;
        }
        const Parsed reply = parseReply(sink_.take(), event.text);
        const std::string context =
            "request [" + event.text.substr(0, 80) + "] got " + std::to_string(reply.code);
        if (const std::optional<int> gate = gateCode(event, loggedIn, parsed)) {
            DFP_FUZZ_CHECK(reply.code == *gate, "gate: " + context);
        } else {
            DFP_FUZZ_CHECK(allowedCodes(parsed.spec->verb).count(reply.code) != 0,
                           "a code protocol.md does not list: " + context);
        }
        const bool closes = reply.code == 221 || reply.code == 250 || reply.code == 429;
        DFP_FUZZ_CHECK((next.action == Next::Action::Close) == closes, "close: " + context);
        DFP_FUZZ_CHECK((next.action == Next::Action::ReceiveUpload) == (reply.code == 340),
                       "upload: " + context);
        if (reply.code == 230 || reply.code == 231) {
            DFP_FUZZ_CHECK(!session.user().empty(), "logged in without a user: " + context);
        }
        if (next.action == Next::Action::Close) {
            lost();
            return;
        }
        if (next.action == Next::Action::ReceiveUpload) {
            DFP_FUZZ_CHECK(reply.tokens.size() >= 2 &&
                               reply.tokens[1] == std::to_string(next.uploadBytes) &&
                               next.uploadBytes <= kMaxFileSize &&
                               session.state() == Session::State::Receiving,
                           "340: " + context);
            upload(session, next.uploadBytes, event.text);
            return;
        }
        DFP_FUZZ_CHECK(session.state() != Session::State::Receiving, "receiving: " + context);
    }

    void upload(Session& session, std::uint64_t size, const std::string& request) {
        std::uint64_t left = size;
        std::size_t piece = 1;
        while (left > 0 && !input_.done()) {
            const std::string_view bytes =
                input_.take(static_cast<std::size_t>(std::min<std::uint64_t>(left, piece)));
            session.receiveUpload(bytes);
            left -= bytes.size();
            piece = piece * 3 + 1;  // pieces of many sizes, as a socket delivers them
        }
        if (left > 0) {
            session.abandonUpload();  // the input ended: the connection is lost mid-upload
            DFP_FUZZ_CHECK(session.state() != Session::State::Receiving, "abandoned upload");
            return;
        }
        Next next;
        try {
            next = session.finishUpload(sink_);
        } catch (const std::runtime_error& e) {
            if (!isInjected(e)) {
                throw;
            }
            sink_.take();
            lost();
            return;
        }
        const Parsed reply = parseReply(sink_.take(), request + " <bytes>");
        static const std::set<int> kAfterBytes = {201, 400, 404, 409, 507};
        DFP_FUZZ_CHECK(kAfterBytes.count(reply.code) != 0,
                       "after the bytes of [" + request + "]: " + std::to_string(reply.code));
        DFP_FUZZ_CHECK(
            next.action == Next::Action::Continue && session.state() == Session::State::Ready,
            "after the bytes");
    }

    Forum& forum_;
    FuzzInput& input_;
    std::unique_ptr<Session> sessions_[2];
    int current_ = 0;
    unsigned peers_ = 0;
    StringSink sink_;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    if (sodium_init() < 0) {
        std::abort();
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput input(data, size);
    // The first byte sets the forum up: registration open, or closed (then the first user
    // registers through the store, so there is someone to log in as).
    const std::uint8_t setup = input.byte();
    Forum forum((setup & 1) == 0);
    if ((setup & 1) != 0) {
        (void)forum.store.createUser("admin", "secret");
    }
    Driver driver(forum, input);
    driver.run();
    return 0;
}
