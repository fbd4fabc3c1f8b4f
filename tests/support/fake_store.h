#pragma once

// FakeForumStore: an in-memory ForumStore for tests of the session state machine (and, later,
// its fuzzer), so they run without SQLite or a socket. It follows the ForumStore contract
// closely enough for the session's logic, and it fails on demand: failNextWrite() makes the
// next upload write report StorageFull, throwOnNextCall() makes the next call throw, as a
// broken disk or database would. Integration tests use the real SQLite store.
//
// Thread-safety: one mutex around everything; good enough for tests.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/forum_store.h"

namespace dfp::test {

class FakeForumStore : public storage::ForumStore {
public:
    void failNextWrite() { failNextWrite_ = true; }
    void throwOnNextCall() { throwOnNextCall_ = true; }

    storage::StoreResult<std::string> findUser(std::string_view name) override;
    storage::StoreResult<std::string> createUser(std::string_view name,
                                                 std::string_view password) override;
    storage::StoreResult<std::string> verifyUser(std::string_view name,
                                                 std::string_view password) override;
    // Stamps are never given: sessions over this store keep no reply up to date.
    storage::StoreResult<std::optional<storage::ViewVersion>> createThreadStamped(
        std::string_view title, std::string_view creator) override;
    void listThreads(const std::function<void(std::uint64_t)>& begin,
                     const std::function<void(const storage::ThreadInfo&)>& visit) override;
    storage::StoreStatus removeThread(std::string_view title, std::string_view requester) override;
    storage::StoreResult<PostedMessage> postMessageStamped(std::string_view title,
                                                           std::string_view author,
                                                           std::string_view text) override;
    storage::StoreStatus editMessage(std::string_view title, storage::MessageNumber number,
                                     std::string_view author, std::string_view text) override;
    storage::StoreStatus deleteMessage(std::string_view title, storage::MessageNumber number,
                                       std::string_view author) override;
    storage::StoreStatus readThread(
        std::string_view title, const std::function<void(std::uint64_t)>& begin,
        const std::function<void(const storage::ThreadEntry&)>& visit) override;
    // A fresh version on every call: the fake never claims that two reads saw the same state,
    // so a cache in front of it never hits (correct, if useless).
    storage::StoreResult<storage::ViewVersion> threadVersion(std::string_view title) override;
    storage::ViewVersion threadListVersion() override;
    storage::StoreResult<std::unique_ptr<storage::Upload>> beginUpload(std::string_view title,
                                                                       std::string_view fileName,
                                                                       std::string_view uploader,
                                                                       std::uint64_t size) override;
    storage::StoreResult<std::unique_ptr<storage::FileReader>> openFile(
        std::string_view title, std::string_view fileName) override;
    storage::StoreResult<std::vector<storage::FileInfo>> listFiles(std::string_view title) override;
    storage::StoreStatus removeFile(std::string_view title, std::string_view fileName,
                                    std::string_view requester) override;
    void checkpoint() override {}
    int schemaVersion() override { return 0; }

    std::uint64_t maxFileSize = 1ULL << 30;

private:
    friend class FakeUpload;
    struct Entry {
        storage::ThreadEntry view;
        std::string bytes;  // uploads only
        std::string sha256;
    };
    struct Thread {
        std::string creator;
        storage::MessageNumber nextNumber = 1;
        std::vector<Entry> entries;
    };
    void maybeThrow();
    std::optional<std::string> userKey(std::string_view name) const;  // guarded by mu_
    storage::StoreResult<storage::FileInfo> commitUpload(const std::string& title,
                                                         const std::string& name,
                                                         const std::string& uploader,
                                                         std::string bytes);

    std::mutex mu_;
    std::map<std::string, std::pair<std::string, std::string>> users_;  // folded -> name, password
    std::vector<std::pair<std::string, Thread>> threads_;               // in creation order
    std::int64_t versions_ = 0;
    bool failNextWrite_ = false;
    bool throwOnNextCall_ = false;
};

}  // namespace dfp::test
