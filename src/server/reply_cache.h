#pragma once

// Whole replies (status line, body and end line, as sent) of the read commands RDT and LST,
// so that the next RDT of an unchanged thread, or LST of an unchanged list, is one lookup and
// one write instead of reading and formatting it again. A reply is kept under a key ("RDT
// <title>", "LST") with the ViewVersion of the state it shows, and served only for that exact
// stamp: every change bumps the version in the change's own transaction, whoever makes it
// (the server, dfp-admin), so a stale view is never served.
//
// Bounded: a reply larger than maxEntryBytes is not kept (a big thread is streamed from the
// store each time, and memory never grows with thread size), and the least recently used go
// when the total passes maxBytes. Thread-safe: one mutex around the index; a reply is an
// immutable shared string, written to the socket outside the lock.

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "storage/forum_store.h"

namespace dfp::server {

class ReplyCache {
public:
    ReplyCache(std::size_t maxBytes, std::size_t maxEntryBytes);

    // The reply kept for key at exactly this version, or null.
    std::shared_ptr<const std::string> find(const std::string& key,
                                            const storage::ViewVersion& version);
    // Keeps reply for key at version, replacing what was kept for key; ignored when too big.
    void insert(const std::string& key, const storage::ViewVersion& version, std::string reply);
    // When the reply kept for key is at version from: keeps revise(that reply) at version to
    // instead, so a change whose effect on the view is known (a message posted) keeps it
    // warm rather than making the next read build it again. The caller vouches that to is
    // from plus exactly that change. Whatever else is kept stays; a nullopt from revise, or
    // a reply grown too big, drops the entry. revise runs outside the lock.
    using Revise = std::function<std::optional<std::string>(const std::string& reply)>;
    void revise(const std::string& key, const storage::ViewVersion& from,
                const storage::ViewVersion& to, const Revise& revise);

    std::size_t maxEntryBytes() const { return maxEntryBytes_; }
    std::size_t bytes() const;
    std::size_t entries() const;

private:
    struct Entry {
        storage::ViewVersion version;
        std::shared_ptr<const std::string> reply;
        std::list<std::string>::iterator recent;  // its place in recent_
    };
    void evict(std::unordered_map<std::string, Entry>::iterator it);  // requires mu_
    // Keeps reply (not too big) for key, which has no entry; requires mu_.
    void add(const std::string& key, const storage::ViewVersion& version,
             std::shared_ptr<const std::string> reply);

    const std::size_t maxBytes_;
    const std::size_t maxEntryBytes_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
    std::list<std::string> recent_;                   // keys, most recently used first
    std::size_t bytes_ = 0;                           // guarded by mu_
};

}  // namespace dfp::server
