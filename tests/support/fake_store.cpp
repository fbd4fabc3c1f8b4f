#include "support/fake_store.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace dfp::test {

using storage::Done;
using storage::FileInfo;
using storage::StoreError;
using storage::ThreadEntry;

namespace {

std::string fold(std::string_view name) {
    std::string key(name);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return key;
}

std::string sha256Hex(std::string_view bytes) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

}  // namespace

class FakeUpload : public storage::Upload {
public:
    FakeUpload(FakeForumStore& store, std::string title, std::string name, std::string uploader,
               std::uint64_t size)
        : store_(store),
          title_(std::move(title)),
          name_(std::move(name)),
          uploader_(std::move(uploader)),
          size_(size) {}

    storage::StoreStatus write(std::string_view bytes) override {
        std::lock_guard lock(store_.mu_);
        if (store_.failNextWrite_) {
            store_.failNextWrite_ = false;
            return StoreError::StorageFull;
        }
        bytes_.append(bytes);
        return Done{};
    }
    std::uint64_t bytesWritten() const override { return bytes_.size(); }

    storage::StoreResult<FileInfo> commit(const std::optional<std::string>& expected) override {
        if (bytes_.size() != size_) {
            return StoreError::SizeMismatch;
        }
        if (expected && *expected != sha256Hex(bytes_)) {
            return StoreError::ChecksumMismatch;
        }
        return store_.commitUpload(title_, name_, uploader_, std::move(bytes_));
    }

private:
    FakeForumStore& store_;
    std::string title_, name_, uploader_;
    std::uint64_t size_;
    std::string bytes_;
};

namespace {

class FakeReader : public storage::FileReader {
public:
    FakeReader(FileInfo info, std::string bytes)
        : info_(std::move(info)), bytes_(std::move(bytes)) {}
    const FileInfo& info() const override { return info_; }
    std::size_t readInto(char* buffer, std::size_t size) override {
        const std::size_t n = bytes_.copy(buffer, size, offset_);
        offset_ += n;
        return n;
    }

private:
    FileInfo info_;
    std::string bytes_;
    std::size_t offset_ = 0;
};

}  // namespace

void FakeForumStore::maybeThrow() {
    if (throwOnNextCall_) {
        throwOnNextCall_ = false;
        throw std::runtime_error("injected storage failure");
    }
}

#define FAKE_FIND_THREAD(var, title)                                            \
    auto var = std::find_if(threads_.begin(), threads_.end(),                   \
                            [&](const auto& t) { return t.first == (title); }); \
    if (var == threads_.end())                                                  \
    return StoreError::ThreadNotFound

std::optional<std::string> FakeForumStore::userKey(std::string_view name) const {
    auto it = users_.find(fold(name));
    return it == users_.end() ? std::nullopt : std::optional(it->second.first);
}

storage::StoreResult<std::string> FakeForumStore::findUser(std::string_view name) {
    std::lock_guard lock(mu_);
    maybeThrow();
    if (auto stored = userKey(name)) {
        return *stored;
    }
    return StoreError::UserNotFound;
}

storage::StoreResult<std::string> FakeForumStore::createUser(std::string_view name,
                                                             std::string_view password) {
    std::lock_guard lock(mu_);
    maybeThrow();
    if (!users_.emplace(fold(name), std::pair(std::string(name), std::string(password))).second) {
        return StoreError::AlreadyExists;
    }
    return std::string(name);
}

storage::StoreResult<std::string> FakeForumStore::verifyUser(std::string_view name,
                                                             std::string_view password) {
    std::lock_guard lock(mu_);
    maybeThrow();
    auto it = users_.find(fold(name));
    if (it == users_.end()) {
        return StoreError::UserNotFound;
    }
    if (it->second.second != password) {
        return StoreError::WrongPassword;
    }
    return it->second.first;
}

storage::StoreResult<std::optional<storage::ViewVersion>> FakeForumStore::createThreadStamped(
    std::string_view title, std::string_view creator) {
    std::lock_guard lock(mu_);
    maybeThrow();
    for (const auto& t : threads_) {
        if (t.first == title) {
            return StoreError::AlreadyExists;
        }
    }
    threads_.emplace_back(std::string(title), Thread{std::string(creator), 1, {}});
    return std::optional<storage::ViewVersion>();
}

void FakeForumStore::listThreads(const std::function<void(std::uint64_t)>& begin,
                                 const std::function<void(const storage::ThreadInfo&)>& visit) {
    std::lock_guard lock(mu_);
    maybeThrow();
    begin(threads_.size());
    for (const auto& t : threads_) {
        visit(storage::ThreadInfo{t.first, t.second.creator, 0});
    }
}

storage::StoreStatus FakeForumStore::removeThread(std::string_view title,
                                                  std::string_view requester) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    if (it->second.creator != requester) {
        return StoreError::NotCreator;
    }
    threads_.erase(it);
    return Done{};
}

storage::StoreResult<FakeForumStore::PostedMessage> FakeForumStore::postMessageStamped(
    std::string_view title, std::string_view author, std::string_view text) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    auto number = it->second.nextNumber++;
    it->second.entries.push_back(Entry{
        ThreadEntry{ThreadEntry::Kind::Message, number, std::string(author), std::string(text)},
        {},
        {}});
    return PostedMessage{number, std::nullopt};
}

storage::StoreStatus FakeForumStore::editMessage(std::string_view title,
                                                 storage::MessageNumber number,
                                                 std::string_view author, std::string_view text) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    for (auto& e : it->second.entries) {
        if (e.view.kind == ThreadEntry::Kind::Message && e.view.number == number) {
            if (e.view.author != author) {
                return StoreError::NotAuthor;
            }
            e.view.text = text;
            e.view.edited = true;
            return Done{};
        }
    }
    return StoreError::MessageNotFound;
}

storage::StoreStatus FakeForumStore::deleteMessage(std::string_view title,
                                                   storage::MessageNumber number,
                                                   std::string_view author) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    auto& entries = it->second.entries;
    for (auto e = entries.begin(); e != entries.end(); ++e) {
        if (e->view.kind == ThreadEntry::Kind::Message && e->view.number == number) {
            if (e->view.author != author) {
                return StoreError::NotAuthor;
            }
            entries.erase(e);
            return Done{};
        }
    }
    return StoreError::MessageNotFound;
}

storage::StoreStatus FakeForumStore::readThread(
    std::string_view title, const std::function<void(std::uint64_t)>& begin,
    const std::function<void(const ThreadEntry&)>& visit) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    begin(it->second.entries.size());
    for (const auto& e : it->second.entries) {
        visit(e.view);
    }
    return Done{};
}

storage::StoreResult<storage::ViewVersion> FakeForumStore::threadVersion(std::string_view title) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    return storage::ViewVersion{it - threads_.begin() + 1, ++versions_};
}

storage::ViewVersion FakeForumStore::threadListVersion() {
    std::lock_guard lock(mu_);
    maybeThrow();
    return storage::ViewVersion{0, ++versions_};
}

storage::StoreResult<std::unique_ptr<storage::Upload>> FakeForumStore::beginUpload(
    std::string_view title, std::string_view fileName, std::string_view uploader,
    std::uint64_t size) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    for (const auto& e : it->second.entries) {
        if (e.view.kind == ThreadEntry::Kind::Upload && e.view.text == fileName) {
            return StoreError::AlreadyExists;
        }
    }
    if (size > maxFileSize) {
        return StoreError::TooLarge;
    }
    return std::unique_ptr<storage::Upload>(std::make_unique<FakeUpload>(
        *this, std::string(title), std::string(fileName), std::string(uploader), size));
}

storage::StoreResult<FileInfo> FakeForumStore::commitUpload(const std::string& title,
                                                            const std::string& name,
                                                            const std::string& uploader,
                                                            std::string bytes) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    for (const auto& e : it->second.entries) {
        if (e.view.kind == ThreadEntry::Kind::Upload && e.view.text == name) {
            return StoreError::AlreadyExists;
        }
    }
    FileInfo info{title, name, uploader, bytes.size(), sha256Hex(bytes), 0};
    it->second.entries.push_back(Entry{ThreadEntry{ThreadEntry::Kind::Upload, 0, uploader, name},
                                       std::move(bytes), info.sha256});
    return info;
}

storage::StoreResult<std::unique_ptr<storage::FileReader>> FakeForumStore::openFile(
    std::string_view title, std::string_view fileName) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    for (const auto& e : it->second.entries) {
        if (e.view.kind == ThreadEntry::Kind::Upload && e.view.text == fileName) {
            FileInfo info{std::string(title), e.view.text, e.view.author,
                          e.bytes.size(),     e.sha256,    0};
            return std::unique_ptr<storage::FileReader>(
                std::make_unique<FakeReader>(info, e.bytes));
        }
    }
    return StoreError::FileNotFound;
}

storage::StoreResult<std::vector<FileInfo>> FakeForumStore::listFiles(std::string_view title) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    std::vector<FileInfo> files;
    for (const auto& e : it->second.entries) {
        if (e.view.kind == ThreadEntry::Kind::Upload) {
            files.push_back(FileInfo{std::string(title), e.view.text, e.view.author, e.bytes.size(),
                                     e.sha256, 0});
        }
    }
    return files;
}

storage::StoreStatus FakeForumStore::removeFile(std::string_view title, std::string_view fileName,
                                                std::string_view requester) {
    std::lock_guard lock(mu_);
    maybeThrow();
    FAKE_FIND_THREAD(it, title);
    auto& entries = it->second.entries;
    for (auto e = entries.begin(); e != entries.end(); ++e) {
        if (e->view.kind == ThreadEntry::Kind::Upload && e->view.text == fileName) {
            if (e->view.author != requester && it->second.creator != requester) {
                return StoreError::NotAllowed;
            }
            entries.erase(e);
            return Done{};
        }
    }
    return StoreError::FileNotFound;
}

}  // namespace dfp::test
