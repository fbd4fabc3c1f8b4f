// CRT, LST, RDT and RMV: threads and the thread view (protocol.md §4).

#include <functional>
#include <string>
#include <string_view>

#include "protocol/validators.h"
#include "server/reply_cache.h"
#include "server/session.h"
#include "server/thread_view.h"

namespace dfp::server {

using protocol::Code;
using protocol::Reply;

namespace {

using Send = std::function<void(std::string_view)>;

// Sends the whole reply that produce() makes (through send), or kept by the cache for the
// state it shows: stamp() gives that state's ViewVersion (or a refusal, passed on). On a miss
// the reply is sent as it is made and kept while it stays small enough; it is put in the
// cache only if the stamp is the same after it was made as before, which proves that no
// change came in between (versions only grow). The store's commit mark, read before the
// stamp, goes with what the stamp confirmed: while it stays the same, nothing was committed
// and the kept reply is served without a stamp (reply_cache.h). Without a cache, produce()
// alone.
template <typename Stamp, typename Produce>
storage::StoreStatus sendThroughCache(ReplyCache* cache, storage::ForumStore& store,
                                      const std::string& key, Stamp&& stamp, Produce&& produce,
                                      ReplySink& out) {
    if (cache == nullptr) {
        return produce(Send([&](std::string_view bytes) { out.write(bytes); }));
    }
    const std::optional<storage::CommitMark> mark = store.commitMark();
    if (mark) {
        if (auto kept = cache->findUnchanged(key, *mark)) {
            out.write(*kept);
            return storage::Done{};
        }
    }
    const storage::StoreResult<storage::ViewVersion> before = stamp();
    if (!before) {
        return before.error();
    }
    if (auto kept = cache->find(key, *before, mark)) {
        out.write(*kept);
        return storage::Done{};
    }
    std::string reply;
    bool keeping = true;
    storage::StoreStatus made = produce(Send([&](std::string_view bytes) {
        out.write(bytes);
        if (!keeping) {
            return;
        }
        if (reply.size() + bytes.size() > cache->maxEntryBytes()) {
            keeping = false;
            std::string().swap(reply);
        } else {
            reply.append(bytes);
        }
    }));
    if (made && keeping) {
        if (const auto after = stamp(); after && *after == *before) {
            cache->insert(key, *before, std::move(reply), mark);
        }
    }
    return made;
}

}  // namespace

Next Session::createThread(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    if (auto problem = protocol::checkTitle(title)) {
        return refuse(out, Code::BadRequest, "invalid title: " + *problem);
    }
    auto made = context_.store.createThreadStamped(title, user_);
    if (!made) {
        if (made.error() == storage::StoreError::AlreadyExists) {
            return reply(out, Reply{Code::Conflict, {title}, "thread exists"});
        }
        return storeRefusal(out, made.error());
    }
    if (context_.replies != nullptr && made->has_value()) {
        // The first RDT of a new thread is served from the cache, and each MSG keeps it so.
        context_.replies->insert(threadReplyKey(title), **made, emptyThreadReply());
    }
    return reply(out, Reply{Code::Created, {title}, "thread created"});
}

Next Session::listThreads(const protocol::Request& /*request*/, ReplySink& out) {
    // Streamed from one snapshot: the count and the titles always agree, and memory does not
    // grow with the number of threads.
    auto done = sendThroughCache(
        context_.replies, context_.store, "LST",
        [&]() -> storage::StoreResult<storage::ViewVersion> {
            return context_.store.threadListVersion();
        },
        [&](const Send& send) -> storage::StoreStatus {
            context_.store.listThreads(
                [&](std::uint64_t count) {
                    send(
                        protocol::format(Reply{Code::Listing, {std::to_string(count)}, "threads"}));
                },
                [&](const storage::ThreadInfo& thread) {
                    send(protocol::formatBodyLine(thread.title));
                });
            send(protocol::kBodyEnd);
            return storage::Done{};
        },
        out);
    if (!done) {
        return storeRefusal(out, done.error());
    }
    return {};
}

Next Session::readThread(const protocol::Request& request, ReplySink& out) {
    const std::string& title = request.args[0];
    if (auto problem = protocol::checkTitle(title)) {
        return refuse(out, Code::BadRequest, "invalid title: " + *problem);
    }
    std::string line;
    auto done = sendThroughCache(
        context_.replies, context_.store, threadReplyKey(title),
        [&] { return context_.store.threadVersion(title); },
        [&](const Send& send) -> storage::StoreStatus {
            auto read = context_.store.readThread(
                title, [&](std::uint64_t count) { send(threadReplyHead(count)); },
                [&](const storage::ThreadEntry& entry) {
                    line = entry.kind == storage::ThreadEntry::Kind::Message
                               ? messageLine(entry.number, entry.author, entry.text)
                               : fileLine(entry.author, entry.text);
                    send(protocol::formatBodyLine(line));
                });
            if (read) {
                send(protocol::kBodyEnd);
            }
            return read;
        },
        out);
    if (!done) {
        return storeRefusal(out, done.error());
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
