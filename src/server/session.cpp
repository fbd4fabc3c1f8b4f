#include "server/session.h"

#include <array>
#include <utility>

#include "server/deferred_reply.h"

namespace dfp::server {

using protocol::Code;
using protocol::Reply;
using protocol::Verb;
using storage::StoreError;

namespace {

// The verb as typed, made safe to echo in "400 unknown command <VERB>": bounded, and with
// anything that is not printable ASCII replaced, since the reply must stay one line.
std::string printableVerb(std::string_view verb) {
    constexpr std::size_t kMaxEcho = 32;
    std::string out;
    for (char c : verb.substr(0, kMaxEcho)) {
        auto u = static_cast<unsigned char>(c);
        out += (u > 0x20 && u < 0x7f) ? c : '?';
    }
    if (verb.size() > kMaxEcho) {
        out += "...";
    }
    return out;
}

// The requests whose handling waits long: PASS for a password hash (unless the server hashes
// at the minimum cost, some 30 µs: less than starting a worker in its place), UPD and DWN for
// as long as the peer takes to send or read the file. An account hashed at a higher cost
// before the server was switched to the minimum (a setting for tests) is still verified at
// that cost, and then holds its worker for that long.
bool waitsLong(Verb verb, storage::PasswordCost cost) {
    if (verb == Verb::Pass) {
        return cost != storage::PasswordCost::Minimum;
    }
    return verb == Verb::Upd || verb == Verb::Dwn;
}

}  // namespace

Session::Session(ServerContext& context, std::string peerAddress)
    : context_(context), peerAddress_(std::move(peerAddress)) {}

Session::~Session() = default;

void Session::settle(ReplySink& out) {
    if (deferred_) {
        deferred_->settle(out, [&](StoreError error) { storeRefusal(out, error); });
    }
}

bool Session::replyHandedBack() const {
    return deferred_ && deferred_->handedBack();
}

int Session::pendingWakeFd() const {
    return deferred_ && deferred_->pending() ? deferred_->wakeFd() : -1;
}

// The one table of server handlers, indexed by protocol::Verb (the command table itself, with
// arity and login rules, is protocol::commands()).
Session::Handler Session::handlerFor(Verb verb) {
    switch (verb) {
        case Verb::User:
            return &Session::startLogin;
        case Verb::Pass:
            return &Session::finishLogin;
        case Verb::Sht:
            return &Session::shutdownServer;
        case Verb::Xit:
            return &Session::leave;
        case Verb::Ping:
            return &Session::ping;
        case Verb::Capa:
            return &Session::listCapabilities;
        case Verb::Help:
            return &Session::listCommands;
        case Verb::Crt:
            return &Session::createThread;
        case Verb::Lst:
            return &Session::listThreads;
        case Verb::Rdt:
            return &Session::readThread;
        case Verb::Rmv:
            return &Session::removeThread;
        case Verb::Msg:
            return &Session::postMessage;
        case Verb::Edt:
            return &Session::editMessage;
        case Verb::Dlt:
            return &Session::deleteMessage;
        case Verb::Upd:
            return &Session::startUpload;
        case Verb::Dwn:
            return &Session::downloadFile;
        case Verb::Rmf:
            return &Session::removeFile;
    }
    return nullptr;
}

Next Session::handle(const protocol::LineEvent& event, ReplySink& out) {
    // A pending USER lasts only until the next request (protocol.md §3); PASS, the one
    // request that completes it, reads it from pendingUser_ before anything else.
    const bool wasAwaitingPass = state_ == State::AwaitPass;
    if (wasAwaitingPass) {
        state_ = State::AwaitUser;
    }

    if (event.kind == protocol::LineEvent::Kind::TooLong) {
        return refuse(out, Code::LineTooLong, "line too long");
    }
    const protocol::Request request = protocol::parseRequest(event.text);
    if (!request.validUtf8) {
        return refuse(out, Code::BadRequest, "invalid UTF-8 in request");
    }
    // The gate (STYLE.md §2): unknown verb, then login, then argument count.
    if (request.spec == nullptr) {
        if (request.verbText.empty()) {
            return refuse(out, Code::BadRequest, "empty request; try HELP");
        }
        return refuse(out, Code::BadRequest, "unknown command " + printableVerb(request.verbText));
    }
    if (user_.empty() && !request.spec->beforeLogin) {
        return refuse(out, Code::NotLoggedIn, "log in first");
    }
    if (!request.arityOk) {
        return refuse(out, Code::BadRequest, "usage: " + std::string(request.spec->usage));
    }
    if (request.spec->verb == Verb::Pass && wasAwaitingPass) {
        state_ = State::AwaitPass;
    }
    if (waitsLong(request.spec->verb, context_.config.passwordCost)) {
        out.aboutToWait();
    }
    return (this->*handlerFor(request.spec->verb))(request, out);
}

Next Session::reply(ReplySink& out, Reply reply) {
    out.write(protocol::format(reply));
    return {};
}

Next Session::refuse(ReplySink& out, Code code, std::string text) {
    return reply(out, Reply{code, {}, std::move(text)});
}

// The one mapping of expected store outcomes to protocol replies.
Next Session::storeRefusal(ReplySink& out, StoreError error) {
    Code code = Code::InternalError;
    switch (error) {
        case StoreError::UserNotFound:
        case StoreError::ThreadNotFound:
        case StoreError::MessageNotFound:
        case StoreError::FileNotFound:
            code = Code::NotFound;
            break;
        case StoreError::AlreadyExists:
            code = Code::Conflict;
            break;
        case StoreError::WrongPassword:
            code = Code::WrongPassword;
            break;
        case StoreError::NotAuthor:
        case StoreError::NotCreator:
        case StoreError::NotAllowed:
            code = Code::Forbidden;
            break;
        case StoreError::TooLarge:
            code = Code::TooLarge;
            break;
        case StoreError::SizeMismatch:
        case StoreError::ChecksumMismatch:
            code = Code::BadRequest;
            break;
        case StoreError::StorageFull:
            code = Code::StorageFull;
            break;
    }
    return refuse(out, code, std::string(storage::describe(error)));
}

Next Session::loginFailure(ReplySink& out, Code code, std::string text) {
    if (++failures_ >= context_.config.maxFailedLogins) {
        refuse(out, Code::TooManyFailures, "too many failed attempts, closing");
        return close("too-many-failures");
    }
    return refuse(out, code, std::move(text));
}

}  // namespace dfp::server
