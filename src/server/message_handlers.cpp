// MSG, EDT and DLT: messages (protocol.md §4).

#include <string>
#include <system_error>

#include "protocol/validators.h"
#include "server/deferred_reply.h"
#include "server/reply_cache.h"
#include "server/session.h"
#include "server/thread_view.h"

namespace dfp::server {

using protocol::Code;
using protocol::Reply;

namespace {

// Checks a title and a message text; the refusal to send, if any.
std::optional<Reply> checkTitleAndText(const std::string& title, const std::string* text) {
    if (auto problem = protocol::checkTitle(title)) {
        return Reply{Code::BadRequest, {}, "invalid title: " + *problem};
    }
    if (text != nullptr) {
        if (auto problem = protocol::checkMessageText(*text)) {
            return Reply{problem->tooLong ? Code::TooLarge : Code::BadRequest,
                         {},
                         "invalid message: " + problem->reason};
        }
    }
    return std::nullopt;
}

// MSG's 201.
std::string postedReply(const storage::ForumStore::PostedMessage& posted) {
    return protocol::format(
        Reply{Code::Created, {std::to_string(posted.number)}, "message posted"});
}

// After a committed MSG: the kept RDT reply of the thread as it was just before this message
// becomes the reply with it, so reading what one just wrote does not read the thread again.
void keepThreadReplyWarm(ReplyCache* replies, const std::string& title, const std::string& user,
                         const std::string& text,
                         const storage::ForumStore::PostedMessage& posted) {
    if (replies != nullptr && posted.thread) {
        const storage::ViewVersion before{posted.thread->id, posted.thread->version - 1};
        replies->revise(threadReplyKey(title), before, *posted.thread, [&](std::string& kept) {
            return appendEntryLine(kept, messageLine(posted.number, user, text));
        });
    }
}

}  // namespace

Next Session::postMessage(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    const std::string& text = request.args[1];
    if (auto refusal = checkTitleAndText(title, &text)) {
        return reply(out, *refusal);
    }
    // On a plain socket the writer thread sends the 201 once the message is committed, and
    // this thread goes back to the socket meanwhile (DeferredReply).
    if (const int socketFd = out.handOffFd(); socketFd >= 0 && postLater(title, text, socketFd)) {
        return {};
    }
    auto posted = context_.store.postMessageStamped(title, user_, text);
    if (!posted) {
        return storeRefusal(out, posted.error());
    }
    keepThreadReplyWarm(context_.replies, title, user_, text, *posted);
    out.write(postedReply(*posted));
    return {};
}

DeferredReply* Session::deferredReply(int socketFd) {
    if (!deferred_) {
        try {
            deferred_ = std::make_unique<DeferredReply>(socketFd);
        } catch (const std::system_error&) {
            return nullptr;  // out of descriptors: this session replies itself
        }
    }
    return deferred_.get();
}

bool Session::postLater(const std::string& title, const std::string& text, int socketFd) {
    DeferredReply* const deferred = deferredReply(socketFd);
    if (deferred == nullptr) {
        return false;
    }
    // The writer thread only formats and sends the 201; the cache is kept warm here, by this
    // thread, before it serves the next request (DeferredReply::settle).
    auto done = deferred->begin(
        postedReply, [this, title, text](const storage::ForumStore::PostedMessage& posted) {
            keepThreadReplyWarm(context_.replies, title, user_, text, posted);
        });
    try {
        context_.store.postMessageLater(title, user_, text, std::move(done));
    } catch (...) {
        deferred->cancel();  // never queued: nothing is pending
        throw;
    }
    return true;
}

Next Session::editMessage(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    const std::string& text = request.args[2];
    if (auto refusal = checkTitleAndText(title, &text)) {
        return reply(out, *refusal);
    }
    auto number = protocol::parseMessageNumber(request.args[1]);
    if (!number) {
        return refuse(out, Code::BadRequest, "a message number is 1-18 digits");
    }
    if (auto done = context_.store.editMessage(title, *number, user_, text); !done) {
        return storeRefusal(out, done.error());
    }
    return reply(out, Reply{Code::Ok, {"message", std::to_string(*number)}, "edited"});
}

Next Session::deleteMessage(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    if (auto refusal = checkTitleAndText(title, nullptr)) {
        return reply(out, *refusal);
    }
    auto number = protocol::parseMessageNumber(request.args[1]);
    if (!number) {
        return refuse(out, Code::BadRequest, "a message number is 1-18 digits");
    }
    if (auto done = context_.store.deleteMessage(title, *number, user_); !done) {
        return storeRefusal(out, done.error());
    }
    return reply(out, Reply{Code::Ok, {"message", std::to_string(*number)}, "deleted"});
}

}  // namespace dfp::server
