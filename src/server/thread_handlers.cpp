// CRT, LST, RDT and RMV: threads and the thread view (protocol.md §4).

#include <string>

#include "protocol/validators.h"
#include "server/session.h"

namespace dfp::server {

using protocol::Code;
using protocol::Reply;

Next Session::createThread(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    if (auto problem = protocol::checkTitle(title)) {
        return refuse(out, Code::BadRequest, "invalid title: " + *problem);
    }
    if (auto done = context_.store.createThread(title, user_); !done) {
        if (done.error() == storage::StoreError::AlreadyExists) {
            return reply(out, Reply{Code::Conflict, {title}, "thread exists"});
        }
        return storeRefusal(out, done.error());
    }
    return reply(out, Reply{Code::Created, {title}, "thread created"});
}

Next Session::listThreads(const protocol::Request& /*request*/, ReplySink& out) {
    // Streamed from one snapshot: the count and the titles always agree, and memory does not
    // grow with the number of threads.
    context_.store.listThreads(
        [&](std::uint64_t count) {
            out.write(protocol::format(Reply{Code::Listing, {std::to_string(count)}, "threads"}));
        },
        [&](const storage::ThreadInfo& thread) {
            out.write(protocol::formatBodyLine(thread.title));
        });
    out.write(protocol::kBodyEnd);
    return {};
}

Next Session::readThread(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    if (auto problem = protocol::checkTitle(title)) {
        return refuse(out, Code::BadRequest, "invalid title: " + *problem);
    }
    std::string line;
    auto done = context_.store.readThread(
        title,
        [&](std::uint64_t count) {
            out.write(protocol::format(Reply{Code::Entries, {std::to_string(count)}, "entries"}));
        },
        [&](const storage::ThreadEntry& entry) {
            if (entry.kind == storage::ThreadEntry::Kind::Message) {
                line = std::to_string(entry.number) + ' ' + entry.author + ": " + entry.text;
            } else {
                line = entry.author + " uploaded " + entry.text;
            }
            out.write(protocol::formatBodyLine(line));
        });
    if (!done) {
        return storeRefusal(out, done.error());
    }
    out.write(protocol::kBodyEnd);
    return {};
}

Next Session::removeThread(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    if (auto problem = protocol::checkTitle(title)) {
        return refuse(out, Code::BadRequest, "invalid title: " + *problem);
    }
    if (auto done = context_.store.removeThread(title, user_); !done) {
        return storeRefusal(out, done.error());
    }
    return reply(out, Reply{Code::Ok, {"thread", title}, "removed"});
}

}  // namespace dfp::server
