#include "crash/forum_model.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

namespace dfp::crash {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::string hex(const unsigned char* digest, std::size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), digest, size);
    out.pop_back();
    return out;
}

std::string quoted(const std::string& text) {
    constexpr std::size_t kShown = 80;
    std::string out = "\"" + text.substr(0, kShown) + "\"";
    if (text.size() > kShown) {
        out += "... (" + std::to_string(text.size()) + " bytes)";
    }
    return out;
}

}  // namespace

std::string FileContent::bytes() const {
    std::string out;
    out.reserve(size);
    std::uint64_t state = seed;
    while (out.size() < size) {
        const std::uint64_t word = splitmix64(state);
        for (int i = 0; i < 8 && out.size() < size; ++i) {
            out += static_cast<char>((word >> (8 * i)) & 0xff);
        }
    }
    return out;
}

std::string FileContent::sha256() const {
    const std::string content = bytes();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(content.data()),
                       content.size());
    return hex(digest, sizeof digest);
}

void ForumModel::registrationSent(const std::string& user) {
    std::lock_guard lock(mu_);
    if (users_.count(user) == 0) {
        registrationsInFlight_.insert(user);
    }
}

void ForumModel::loggedIn(const std::string& user) {
    std::lock_guard lock(mu_);
    registrationsInFlight_.erase(user);
    users_.insert(user);
}

bool ForumModel::userAcknowledged(const std::string& user) const {
    std::lock_guard lock(mu_);
    return users_.count(user) != 0;
}

std::vector<std::string> ForumModel::knownThreads() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> titles;
    for (const auto& [title, thread] : threads_) {
        titles.push_back(title);
    }
    return titles;
}

void ForumModel::sendCreateThread(const std::string& title) {
    std::lock_guard lock(mu_);
    if (threads_.count(title) == 0) {
        threadsInFlight_.insert(title);
    }
}

void ForumModel::threadCreated(const std::string& title) {
    std::lock_guard lock(mu_);
    threadsInFlight_.erase(title);
    threads_.try_emplace(title);
}

ForumModel::PostTicket ForumModel::sendPost(const std::string& title, const std::string& author,
                                            const std::string& text) {
    std::lock_guard lock(mu_);
    Thread& thread = threads_.at(title);
    PostTicket ticket{title, text, thread.highestNumber};
    thread.postsInFlight.emplace_back(author, ticket);
    return ticket;
}

std::optional<std::string> ForumModel::postDone(const PostTicket& ticket, const std::string& author,
                                                MessageNumber number) {
    std::lock_guard lock(mu_);
    Thread& thread = threads_.at(ticket.title);
    std::erase_if(thread.postsInFlight,
                  [&](const auto& post) { return post.second.text == ticket.text; });
    std::optional<std::string> problem;
    // protocol.md §4: numbers are never reused, so a new post gets a number above every one
    // acknowledged (or seen) before it was sent, the crashes in between included.
    if (number <= ticket.highestAtSend) {
        problem = "MSG in " + ticket.title + " got number " + std::to_string(number) + ", but " +
                  std::to_string(ticket.highestAtSend) +
                  " was already acknowledged or seen before it was sent";
    } else if (thread.messages.count(number) != 0 || thread.deleted.count(number) != 0) {
        problem = "MSG in " + ticket.title + " got number " + std::to_string(number) +
                  ", which an earlier message already had";
    }
    thread.messages[number] = Message{author, ticket.text, std::nullopt, false};
    thread.highestNumber = std::max(thread.highestNumber, number);
    return problem;
}

void ForumModel::sendEdit(const OwnedMessage& message, const std::string& text) {
    std::lock_guard lock(mu_);
    threads_.at(message.title).messages.at(message.number).editInFlight = text;
}

void ForumModel::editDone(const OwnedMessage& message, const std::string& text) {
    std::lock_guard lock(mu_);
    Message& stored = threads_.at(message.title).messages.at(message.number);
    stored.text = text;
    stored.editInFlight.reset();
}

void ForumModel::sendDelete(const OwnedMessage& message) {
    std::lock_guard lock(mu_);
    threads_.at(message.title).messages.at(message.number).deleteInFlight = true;
}

void ForumModel::deleteDone(const OwnedMessage& message) {
    std::lock_guard lock(mu_);
    Thread& thread = threads_.at(message.title);
    thread.messages.erase(message.number);
    thread.deleted.insert(message.number);
}

void ForumModel::sendUpload(const std::string& title, const std::string& name,
                            const std::string& uploader, FileContent content) {
    std::lock_guard lock(mu_);
    threads_.at(title).uploadsInFlight[name] = File{uploader, content, false};
}

void ForumModel::uploadDone(const std::string& title, const std::string& name) {
    std::lock_guard lock(mu_);
    Thread& thread = threads_.at(title);
    auto node = thread.uploadsInFlight.extract(name);
    thread.files.insert(std::move(node));
}

void ForumModel::sendRemoveFile(const OwnedFile& file) {
    std::lock_guard lock(mu_);
    threads_.at(file.title).files.at(file.name).removeInFlight = true;
}

void ForumModel::removeFileDone(const OwnedFile& file) {
    std::lock_guard lock(mu_);
    Thread& thread = threads_.at(file.title);
    thread.files.erase(file.name);
    thread.removedFiles.insert(file.name);
}

std::vector<OwnedMessage> ForumModel::messagesBy(const std::string& author) const {
    std::lock_guard lock(mu_);
    std::vector<OwnedMessage> owned;
    for (const auto& [title, thread] : threads_) {
        for (const auto& [number, message] : thread.messages) {
            if (message.author == author) {
                owned.push_back(OwnedMessage{title, number});
            }
        }
    }
    return owned;
}

std::vector<OwnedFile> ForumModel::filesBy(const std::string& uploader) const {
    std::lock_guard lock(mu_);
    std::vector<OwnedFile> owned;
    for (const auto& [title, thread] : threads_) {
        for (const auto& [name, file] : thread.files) {
            if (file.uploader == uploader) {
                owned.push_back(OwnedFile{title, name});
            }
        }
    }
    return owned;
}

MessageNumber ForumModel::highestNumber(const std::string& title) const {
    std::lock_guard lock(mu_);
    auto it = threads_.find(title);
    return it == threads_.end() ? 0 : it->second.highestNumber;
}

std::multiset<std::string> ForumModel::fileDigests() const {
    std::lock_guard lock(mu_);
    std::multiset<std::string> digests;
    for (const auto& [title, thread] : threads_) {
        for (const auto& [name, file] : thread.files) {
            digests.insert(file.content.sha256());
        }
    }
    return digests;
}

std::vector<std::string> ForumModel::reconcile(
    const ObservedForum& observed,
    const std::function<std::optional<Download>(const std::string&, const std::string&)>& download,
    Settled& settled) {
    std::lock_guard lock(mu_);
    std::vector<std::string> problems;
    auto problem = [&](const std::string& title, const std::string& what) {
        problems.push_back("thread " + title + ": " + what);
    };

    // Threads: every acknowledged one is listed; a listed unknown one must be a CRT in flight.
    const std::set<std::string> listed(observed.titles.begin(), observed.titles.end());
    if (listed.size() != observed.titles.size()) {
        problems.push_back("LST lists a title more than once");
    }
    for (const auto& [title, thread] : threads_) {
        if (listed.count(title) == 0) {
            problem(title, "acknowledged thread missing from LST");
        }
    }
    for (const std::string& title : listed) {
        if (threads_.count(title) != 0) {
            continue;
        }
        if (threadsInFlight_.count(title) != 0) {
            threads_.try_emplace(title);
        } else {
            problem(title, "LST shows a thread nobody created");
        }
    }
    threadsInFlight_.clear();
    settled.registrationsInFlight = static_cast<int>(registrationsInFlight_.size());
    registrationsInFlight_.clear();

    // Checks a file the server shows against the content it must have; true if intact.
    auto fileIntact = [&](const std::string& title, const std::string& name, const File& file,
                          const std::string& what) {
        const std::optional<Download> got = download(title, name);
        if (!got) {
            problem(title, what + " " + name + " is listed by RDT but DWN says 404");
            return false;
        }
        const std::string expectedSha = file.content.sha256();
        if (got->bytes.size() != file.content.size || got->bytes != file.content.bytes()) {
            problem(title, what + " " + name +
                               " has different bytes: " + std::to_string(got->bytes.size()) +
                               " bytes, expected " + std::to_string(file.content.size));
            return false;
        }
        if (got->sha256Field != expectedSha) {
            problem(title, what + " " + name + ": DWN announces sha256 " + got->sha256Field +
                               ", the bytes have " + expectedSha);
            return false;
        }
        return true;
    };

    for (auto& [title, thread] : threads_) {
        auto found = observed.threads.find(title);
        if (found == observed.threads.end()) {
            continue;  // reported above as missing from LST
        }
        const ObservedThread& seen = found->second;

        // --- messages
        std::map<MessageNumber, const ObservedMessage*> byNumber;
        for (const ObservedMessage& message : seen.messages) {
            if (!byNumber.emplace(message.number, &message).second) {
                problem(title, "RDT shows message " + std::to_string(message.number) + " twice");
            }
        }
        if (!std::is_sorted(seen.order.begin(), seen.order.end())) {
            problem(title, "RDT shows messages out of posting (number) order");
        }
        for (auto it = thread.messages.begin(); it != thread.messages.end();) {
            const MessageNumber number = it->first;
            Message& message = it->second;
            const std::string label = "message " + std::to_string(number) + " by " + message.author;
            auto shown = byNumber.find(number);
            if (shown == byNumber.end()) {
                if (message.deleteInFlight) {
                    ++settled.deletesApplied;
                    thread.deleted.insert(number);
                    it = thread.messages.erase(it);
                    continue;
                }
                problem(title, "acknowledged " + label + " is gone");
                it = thread.messages.erase(it);
                continue;
            }
            const ObservedMessage& got = *shown->second;
            byNumber.erase(shown);
            if (message.deleteInFlight) {
                ++settled.deletesAbsent;
            }
            if (got.author != message.author) {
                problem(title, label + " now shows author " + got.author);
            }
            if (got.text == message.text) {
                if (message.editInFlight) {
                    ++settled.editsAbsent;
                }
            } else if (message.editInFlight && got.text == *message.editInFlight) {
                ++settled.editsApplied;
                message.text = got.text;
            } else {
                problem(title, label + " has text " + quoted(got.text) + ", expected " +
                                   quoted(message.text) +
                                   (message.editInFlight ? " or the unacknowledged edit " +
                                                               quoted(*message.editInFlight)
                                                         : std::string()));
            }
            message.editInFlight.reset();
            message.deleteInFlight = false;
            ++it;
        }
        for (const auto& entry : byNumber) {
            // Not a structured binding: clang 14 cannot capture one in the lambda below.
            const MessageNumber number = entry.first;
            const ObservedMessage* shown = entry.second;
            if (thread.deleted.count(number) != 0) {
                problem(title, "deleted message " + std::to_string(number) + " is back");
                continue;
            }
            // Not in the model: it must be exactly the text of a post that was in flight.
            auto post = std::find_if(
                thread.postsInFlight.begin(), thread.postsInFlight.end(), [&](const auto& p) {
                    return p.first == shown->author && p.second.text == shown->text;
                });
            if (post == thread.postsInFlight.end()) {
                problem(title, "message " + std::to_string(number) + " by " + shown->author +
                                   " with text " + quoted(shown->text) +
                                   " was never posted (or is a torn copy of a post)");
                continue;
            }
            if (number <= post->second.highestAtSend) {
                problem(title, "unacknowledged post got number " + std::to_string(number) +
                                   ", not above " + std::to_string(post->second.highestAtSend));
            }
            ++settled.postsApplied;
            thread.messages[number] = Message{shown->author, shown->text, std::nullopt, false};
            thread.postsInFlight.erase(post);
        }
        settled.postsAbsent += static_cast<int>(thread.postsInFlight.size());
        thread.postsInFlight.clear();
        for (const ObservedMessage& message : seen.messages) {
            thread.highestNumber = std::max(thread.highestNumber, message.number);
        }

        // --- files
        std::map<std::string, std::string> uploads;  // name -> uploader
        for (const auto& [uploader, name] : seen.uploads) {
            if (!uploads.emplace(name, uploader).second) {
                problem(title, "RDT shows file " + name + " twice");
            }
        }
        for (auto it = thread.files.begin(); it != thread.files.end();) {
            const std::string& name = it->first;
            File& file = it->second;
            auto shown = uploads.find(name);
            if (shown == uploads.end()) {
                if (file.removeInFlight) {
                    ++settled.removalsApplied;
                    thread.removedFiles.insert(name);
                } else {
                    problem(title, "acknowledged upload " + name + " is gone");
                }
                it = thread.files.erase(it);
                continue;
            }
            if (file.removeInFlight) {
                ++settled.removalsAbsent;
            }
            if (shown->second != file.uploader) {
                problem(title, "file " + name + " now shows uploader " + shown->second);
            }
            uploads.erase(shown);
            fileIntact(title, name, file, "acknowledged upload");
            file.removeInFlight = false;
            ++it;
        }
        for (const auto& [name, uploader] : uploads) {
            if (thread.removedFiles.count(name) != 0) {
                problem(title, "removed file " + name + " is back");
                continue;
            }
            auto pending = thread.uploadsInFlight.find(name);
            if (pending == thread.uploadsInFlight.end()) {
                problem(title, "file " + name + " by " + uploader + " was never uploaded");
                continue;
            }
            if (uploader != pending->second.uploader) {
                problem(title, "unacknowledged upload " + name + " shows uploader " + uploader);
            }
            // An upload whose 201 never came may be there, but only whole.
            if (fileIntact(title, name, pending->second, "unacknowledged upload")) {
                ++settled.uploadsApplied;
                thread.files[name] = pending->second;
            }
            thread.uploadsInFlight.erase(pending);
        }
        settled.uploadsAbsent += static_cast<int>(thread.uploadsInFlight.size());
        thread.uploadsInFlight.clear();

        settled.messages += thread.messages.size();
        settled.files += thread.files.size();
    }
    return problems;
}

}  // namespace dfp::crash
