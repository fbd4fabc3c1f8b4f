#pragma once

// Whole replies (status line, body and end line, as sent) of the read commands RDT and LST,
// so that the next RDT of an unchanged thread, or LST of an unchanged list, is one lookup and
// one write instead of reading and formatting it again. A reply is kept under a key ("RDT
// <title>", "LST") with the ViewVersion of the state it shows, and served only for that exact
// stamp: every change bumps the version in the change's own transaction, whoever makes it
// (the server, dfp-admin), so a stale view is never served. Reading the version takes a read
// transaction; so an entry also remembers the store's commit mark from when its version was
// last confirmed, and while the mark is the same nothing at all was committed since, and the
// entry is served without reading the version (findUnchanged).
//
// Bounded: a reply larger than maxEntryBytes is not kept (a big thread is streamed from the
// store each time, and memory never grows with thread size), and the least recently used go
// when the total passes maxBytes (which counts the replies' sizes: one grown in place by
// revise() may hold as much again in spare capacity). Thread-safe: one mutex around the index;
// a reply handed out is an immutable shared string, written to the socket outside the lock.

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

    // The reply kept for key at exactly this version, or null. checked: the store's commit
    // mark read before version was (storage::CommitMark), remembered with a reply found.
    std::shared_ptr<const std::string> find(const std::string& key,
                                            const storage::ViewVersion& version,
                                            const std::optional<storage::CommitMark>& checked = {});
    // The reply kept for key if it was found or kept at this very commit mark: nothing was
    // committed since its version was read, so it is still the current one. Null otherwise.
    std::shared_ptr<const std::string> findUnchanged(const std::string& key,
                                                     const storage::CommitMark& mark);
    // Keeps reply for key at version, replacing what was kept for key; ignored when too big.
    // checked as for find().
    void insert(const std::string& key, const storage::ViewVersion& version, std::string reply,
                const std::optional<storage::CommitMark>& checked = {});
    // When the reply kept for key is at version from: keeps it, edited by revise, at version
    // to instead, so a change whose effect on the view is known (a message posted) keeps it
    // warm rather than making the next read build it again. The caller vouches that to is
    // from plus exactly that change. revise edits the reply in place and says whether it
    // could; on false, or when the reply grew too big, the entry is dropped. revise runs
    // outside the lock, on a reply nobody else can see: the kept string itself when no find()
    // has handed it out, so that a run of changes with no read between them appends to one
    // string instead of copying the whole reply at each change; a copy otherwise.
    using Revise = std::function<bool(std::string& reply)>;
    void revise(const std::string& key, const storage::ViewVersion& from,
                const storage::ViewVersion& to, const Revise& revise);

    std::size_t maxEntryBytes() const { return maxEntryBytes_; }
    std::size_t bytes() const;
    std::size_t entries() const;

private:
    struct Entry {
        storage::ViewVersion version;
        std::shared_ptr<std::string> reply;       // const to everyone but revise()
        std::list<std::string>::iterator recent;  // its place in recent_
        bool handedOut = false;                   // find() gave it to a reader
        // The commit mark read before version was last read and found to be this one.
        std::optional<storage::CommitMark> checked;
    };
    void evict(std::unordered_map<std::string, Entry>::iterator it);  // requires mu_
    // The entry's reply for a reader, now the most recently used; requires mu_.
    std::shared_ptr<const std::string> handOut(std::unordered_map<std::string, Entry>::iterator it);
    // Keeps reply (not too big) for key, which has no entry; requires mu_.
    void add(const std::string& key, const storage::ViewVersion& version,
             std::shared_ptr<std::string> reply, const std::optional<storage::CommitMark>& checked);

    const std::size_t maxBytes_;
    const std::size_t maxEntryBytes_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
    std::list<std::string> recent_;                   // keys, most recently used first
    std::size_t bytes_ = 0;                           // guarded by mu_
};

}  // namespace dfp::server
