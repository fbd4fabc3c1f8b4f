// MSG, EDT and DLT: messages (protocol.md §4).

#include <string>

#include "protocol/validators.h"
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

}  // namespace

Next Session::postMessage(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    const std::string& text = request.args[1];
    if (auto refusal = checkTitleAndText(title, &text)) {
        return reply(out, *refusal);
    }
    auto posted = context_.store.postMessageStamped(title, user_, text);
    if (!posted) {
        return storeRefusal(out, posted.error());
    }
    if (context_.replies != nullptr && posted->thread) {
        // A kept RDT reply of the thread as it was just before this message becomes the
        // reply with it, so reading what one just wrote does not read the thread again.
        const storage::ViewVersion before{posted->thread->id, posted->thread->version - 1};
        context_.replies->revise(
            threadReplyKey(title), before, *posted->thread, [&](const std::string& kept) {
                return withLineAppended(kept, messageLine(posted->number, user_, text));
            });
    }
    return reply(out, Reply{Code::Created, {std::to_string(posted->number)}, "message posted"});
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
