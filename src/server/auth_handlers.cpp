// USER, PASS and SHT: logging in, registering, and the admin's shutdown (protocol.md §3, §5).

#include <sodium.h>

#include "protocol/validators.h"
#include "server/session.h"

namespace dfp::server {

using protocol::Code;
using protocol::Reply;
using storage::StoreError;

namespace {

// Compares without leaking, through timing, how much of the password was right: both sides
// are hashed to a fixed length first, so their lengths do not show either.
bool sameSecret(std::string_view given, std::string_view expected) {
    unsigned char a[crypto_generichash_BYTES];
    unsigned char b[crypto_generichash_BYTES];
    crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(given.data()),
                       given.size(), nullptr, 0);
    crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(expected.data()),
                       expected.size(), nullptr, 0);
    return sodium_memcmp(a, b, sizeof a) == 0;
}

}  // namespace

Next Session::startLogin(const protocol::Request& request, ReplySink& out) {
    if (!user_.empty()) {
        return refuse(out, Code::BadRequest, "already logged in as " + user_);
    }
    const std::string& name = request.args[0];
    if (auto problem = protocol::checkUsername(name)) {
        return refuse(out, Code::BadRequest, "invalid username: " + *problem);
    }
    auto found = context_.store.findUser(name);
    if (found) {
        pendingUser_ = *found;
        pendingIsNew_ = false;
        state_ = State::AwaitPass;
        return refuse(out, Code::PasswordRequired, "password required");
    }
    if (!context_.config.registrationOpen) {
        return loginFailure(out, Code::Forbidden, "registration is closed");
    }
    pendingUser_ = name;
    pendingIsNew_ = true;
    state_ = State::AwaitPass;
    return refuse(out, Code::ChoosePassword, "new account, choose a password");
}

Next Session::finishLogin(const protocol::Request& request, ReplySink& out) {
    if (!user_.empty()) {
        return refuse(out, Code::BadRequest, "already logged in as " + user_);
    }
    const std::string& password = request.args[0];
    // Checked before the pending USER so that an overlong password gets 400 whether or not
    // the account exists (protocol.md §6).
    if (auto problem = protocol::checkPassword(password)) {
        state_ = State::AwaitUser;
        return refuse(out, Code::BadRequest, "invalid password: " + *problem);
    }
    if (state_ != State::AwaitPass) {
        return refuse(out, Code::BadRequest, "send USER <username> first");
    }
    state_ = State::AwaitUser;
    const auto now = LoginThrottle::Clock::now();
    if (!context_.throttle.allowed(peerAddress_, pendingUser_, now)) {
        refuse(out, Code::TooManyFailures,
               "too many failed logins from your address or for this account; try again later");
        return close("login-throttled");
    }

    bool created = false;
    storage::StoreResult<std::string> account = StoreError::UserNotFound;
    if (pendingIsNew_) {
        account = context_.store.createUser(pendingUser_, password);
        created = account.ok();
        if (!account && account.error() == StoreError::AlreadyExists) {
            // Someone registered the name since our 332: this is now a login like any other.
            account = context_.store.verifyUser(pendingUser_, password);
        }
    } else {
        account = context_.store.verifyUser(pendingUser_, password);
    }
    if (!account) {
        if (account.error() == StoreError::WrongPassword ||
            account.error() == StoreError::UserNotFound) {
            context_.throttle.recordFailure(peerAddress_, pendingUser_, now);
            return loginFailure(out, Code::WrongPassword, "wrong password");
        }
        return storeRefusal(out, account.error());
    }

    ticket_ = context_.registry.login(*account);
    if (!ticket_) {
        return reply(out, Reply{Code::Conflict, {*account}, "is already logged in"});
    }
    user_ = *account;
    state_ = State::Ready;
    return reply(out, created ? Reply{Code::AccountCreated, {user_}, "account created, logged in"}
                              : Reply{Code::LoggedIn, {user_}, "logged in"});
}

Next Session::shutdownServer(const protocol::Request& request, ReplySink& out) {
    const auto now = LoginThrottle::Clock::now();
    if (!context_.throttle.allowed(peerAddress_, {}, now)) {
        refuse(out, Code::TooManyFailures,
               "too many failed attempts from your address; try again later");
        return close("login-throttled");
    }
    if (!sameSecret(request.args[0], context_.config.adminPassword)) {
        context_.throttle.recordFailure(peerAddress_, {}, now);
        return loginFailure(out, Code::Forbidden, "wrong admin password");
    }
    refuse(out, Code::ShuttingDown, "shutting down");
    context_.registry.requestShutdown();
    return close("shutdown-requested");
}

}  // namespace dfp::server
