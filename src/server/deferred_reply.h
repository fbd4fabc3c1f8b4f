#pragma once

// The reply to a MSG that the store's writer thread finishes (docs/performance-history.md, "MSG
// replies from the writer thread"). On a plain TCP session, MSG queues its message without
// waiting (ForumStore::postMessageLater) and the session thread goes back to its socket; once
// the message is committed, the writer thread formats the 201 and sends it itself, so a
// posting client's request costs the session thread one sleep instead of two. What the writer
// thread cannot finish at once (a refusal, an exception, a reply the socket would not take
// without blocking) it hands back, waking the session thread through an eventfd that the
// session polls beside its socket while a reply is pending. The writer thread serves every
// session, so what need not be done there (keeping the kept RDT reply warm) is left to the
// session thread: settle() runs it, before the session's next request.
//
// Order: the session settles a pending reply (waits for it, and writes what was handed back)
// before it writes anything else, so replies leave in request order.
//
// Thread-safety: every member runs on the session thread; the callback made by begin() runs
// on the writer thread, exactly once. At most one reply is pending at a time.

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "storage/forum_store.h"
#include "storage/posix_file.h"

namespace dfp::server {

class ReplySink;

class DeferredReply {
public:
    // Formats the 201, on the writer thread.
    using Format = std::function<std::string(const storage::ForumStore::PostedMessage&)>;
    // What follows a posted message once its 201 is out, on the session thread.
    using Then = std::function<void(const storage::ForumStore::PostedMessage&)>;

    // socketFd: the session's plain TCP socket, which outlives this object. Throws
    // std::system_error if no eventfd can be had.
    explicit DeferredReply(int socketFd);
    // Waits for a pending reply to be done with, and drops what was handed back: the session
    // is ending, and nobody is left to read it.
    ~DeferredReply();
    DeferredReply(const DeferredReply&) = delete;
    DeferredReply& operator=(const DeferredReply&) = delete;

    // Marks a reply pending and returns the callback to pass to postMessageLater; settle()
    // runs then after the 201 is out.
    storage::ForumStore::PostedCallback begin(Format format, Then then);
    // The callback from begin() was dropped without being called (the write was never
    // queued): nothing is pending after all.
    void cancel();
    bool pending() const;
    // The writer thread is done with the pending reply and left the rest to settle(), which
    // then does not wait.
    bool handedBack() const;
    // Readable once the writer thread has handed a reply back; poll it while pending().
    int wakeFd() const;
    // Waits until the writer thread is done with the pending reply, if any. Then writes to out
    // what it handed back (the rest of the 201, or refuse(error)'s reply) and runs begin()'s
    // then for a posted message; or rethrows the exception the write ended with.
    void settle(ReplySink& out, const std::function<void(storage::StoreError)>& refuse);

private:
    struct Shared;
    std::shared_ptr<Shared> shared_;  // also held by the callback in flight
    Then then_;                       // of the reply begun last
};

}  // namespace dfp::server
