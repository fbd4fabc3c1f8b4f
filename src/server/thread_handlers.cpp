// CRT, LST, RDT and RMV: threads and the thread view (protocol.md §4).

#include <optional>
#include <string>

#include "protocol/validators.h"
#include "server/session.h"
#include "server/thread_view_cache.h"

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
    ThreadViewCache* cache = context_.threadViews;
    std::optional<storage::ThreadVersion> version;
    if (cache != nullptr) {
        auto current = context_.store.threadVersion(title);
        if (!current) {
            return storeRefusal(out, current.error());
        }
        if (auto kept = cache->find(title, *current)) {
            out.write(*kept);
            return {};
        }
        version = *current;
    }
    // Sent as it is read, and kept for the cache while it stays small enough.
    std::string reply;
    bool keeping = version.has_value();
    auto send = [&](std::string_view bytes) {
        out.write(bytes);
        if (keeping) {
            if (reply.size() + bytes.size() > cache->maxEntryBytes()) {
                keeping = false;
                std::string().swap(reply);
            } else {
                reply.append(bytes);
            }
        }
    };
    std::string line;
    auto done = context_.store.readThread(
        title,
        [&](std::uint64_t count) {
            send(protocol::format(Reply{Code::Entries, {std::to_string(count)}, "entries"}));
        },
        [&](const storage::ThreadEntry& entry) {
            if (entry.kind == storage::ThreadEntry::Kind::Message) {
                line = std::to_string(entry.number) + ' ' + entry.author + ": " + entry.text;
            } else {
                line = entry.author + " uploaded " + entry.text;
            }
            send(protocol::formatBodyLine(line));
        });
    if (!done) {
        return storeRefusal(out, done.error());
    }
    send(protocol::kBodyEnd);
    // The view read is the one stamped `version` only if nothing changed the thread between
    // the stamp and the read: versions only grow, so an unchanged stamp after it proves it.
    if (keeping) {
        if (auto after = context_.store.threadVersion(title); after && *after == *version) {
            cache->insert(title, *version, std::move(reply));
        }
    }
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
