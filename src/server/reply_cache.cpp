#include "server/reply_cache.h"

namespace dfp::server {

ReplyCache::ReplyCache(std::size_t maxBytes, std::size_t maxEntryBytes)
    : maxBytes_(maxBytes), maxEntryBytes_(std::min(maxEntryBytes, maxBytes)) {}

std::shared_ptr<const std::string> ReplyCache::find(
    const std::string& key, const storage::ViewVersion& version,
    const std::optional<storage::CommitMark>& checked) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.version != version) {
        return nullptr;
    }
    it->second.checked = checked;
    return handOut(it);
}

std::shared_ptr<const std::string> ReplyCache::findUnchanged(const std::string& key,
                                                             const storage::CommitMark& mark) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.checked != mark) {
        return nullptr;
    }
    return handOut(it);
}

std::shared_ptr<const std::string> ReplyCache::handOut(
    std::unordered_map<std::string, Entry>::iterator it) {
    recent_.splice(recent_.begin(), recent_, it->second.recent);
    it->second.handedOut = true;
    return it->second.reply;
}

void ReplyCache::insert(const std::string& key, const storage::ViewVersion& version,
                        std::string reply, const std::optional<storage::CommitMark>& checked) {
    if (reply.size() > maxEntryBytes_) {
        return;
    }
    auto shared = std::make_shared<std::string>(std::move(reply));
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
        evict(it);
    }
    add(key, version, std::move(shared), checked);
}

void ReplyCache::revise(const std::string& key, const storage::ViewVersion& from,
                        const storage::ViewVersion& to, const Revise& revise) {
    std::shared_ptr<std::string> reply;
    bool handedOut = false;
    {
        std::lock_guard lock(mu_);
        auto it = entries_.find(key);
        if (it == entries_.end() || it->second.version != from) {
            return;
        }
        // Out of the index while it is revised: no reader can be handed it meanwhile, so
        // one that never was handed out is this thread's alone.
        reply = it->second.reply;
        handedOut = it->second.handedOut;
        evict(it);
    }
    if (handedOut) {
        reply = std::make_shared<std::string>(*reply);  // readers may still be sending it
    }
    const bool revised = revise(*reply);
    std::lock_guard lock(mu_);
    // A reply kept meanwhile (a reader's newer view) stands.
    if (entries_.contains(key)) {
        return;
    }
    if (revised && reply->size() <= maxEntryBytes_) {
        add(key, to, std::move(reply), std::nullopt);  // to is vouched for, not read
    }
}

void ReplyCache::add(const std::string& key, const storage::ViewVersion& version,
                     std::shared_ptr<std::string> reply,
                     const std::optional<storage::CommitMark>& checked) {
    while (!recent_.empty() && bytes_ + reply->size() > maxBytes_) {
        evict(entries_.find(recent_.back()));
    }
    recent_.push_front(key);
    bytes_ += reply->size();
    entries_.emplace(key, Entry{version, std::move(reply), recent_.begin(), false, checked});
}

std::size_t ReplyCache::bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
}

std::size_t ReplyCache::entries() const {
    std::lock_guard lock(mu_);
    return entries_.size();
}

void ReplyCache::evict(std::unordered_map<std::string, Entry>::iterator it) {
    bytes_ -= it->second.reply->size();
    recent_.erase(it->second.recent);
    entries_.erase(it);
}

}  // namespace dfp::server
