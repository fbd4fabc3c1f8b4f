#pragma once

// SqliteForumStore: the ForumStore over SQLite (WAL) and a blob directory (internal to
// src/storage; everyone else gets a ForumStore from openForumStore). docs/storage.md
// describes the files, the durability and the concurrency model.
//
// Thread-safety: every ForumStore method may run on any number of threads at once. Each call
// leases its own pooled connection, so a SQLite connection is never used by two threads;
// write transactions are also serialised in-process by writerMu_, so this process's writers
// queue on a mutex instead of spinning in SQLite's busy handler (which remains for other
// processes, such as dfp-admin). Readers never take writerMu_: in WAL mode they read a
// snapshot while a write is in progress. No lock is held while hashing a password or doing
// file I/O on upload bytes.
//
// Uploads handed out by beginUpload refer to the store for their commit: they must not
// outlive it. FileReaders hold only their open descriptor.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/connection_pool.h"
#include "storage/forum_store.h"
#include "storage/password_hasher.h"
#include "storage/posix_file.h"

namespace dfp::storage {

// Seams for tests to provoke failures that a healthy machine does not produce on demand
// (leveldb's ErrorEnv idea). Production code passes none.
struct StoreTestHooks {
    // Replaces write(2) for upload temp files: ENOSPC, EIO, short writes, EINTR.
    std::function<ssize_t(int fd, const void* data, std::size_t size)> uploadWrite;
    // PRAGMA max_page_count on every connection (0 = none), so the database "fills up" and
    // writes fail with SQLITE_FULL.
    std::int64_t maxPageCount = 0;
};

// openForumStore with hooks. Throws StoreOpenError like openForumStore.
std::unique_ptr<ForumStore> openSqliteForumStore(const StoreOptions& options, StoreTestHooks hooks);

// The query behind readThread: messages and uploads of thread ?1 merged in posting order.
// Exposed so a test can check its query plan walks the (thread_id, seq) indexes instead of
// sorting the whole thread.
extern const char kThreadEntriesSql[];

class SqliteForumStore final : public ForumStore {
public:
    // Opens as openForumStore documents; throws StoreOpenError.
    SqliteForumStore(const StoreOptions& options, StoreTestHooks hooks);
    ~SqliteForumStore() override;

    StoreResult<std::string> findUser(std::string_view name) override;
    StoreResult<std::string> createUser(std::string_view name, std::string_view password) override;
    StoreResult<std::string> verifyUser(std::string_view name, std::string_view password) override;

    StoreStatus createThread(std::string_view title, std::string_view creator) override;
    void listThreads(const std::function<void(std::uint64_t count)>& begin,
                     const std::function<void(const ThreadInfo&)>& visit) override;
    StoreStatus removeThread(std::string_view title, std::string_view requester) override;

    StoreResult<MessageNumber> postMessage(std::string_view title, std::string_view author,
                                           std::string_view text) override;
    StoreStatus editMessage(std::string_view title, MessageNumber number, std::string_view author,
                            std::string_view text) override;
    StoreStatus deleteMessage(std::string_view title, MessageNumber number,
                              std::string_view author) override;

    StoreStatus readThread(std::string_view title,
                           const std::function<void(std::uint64_t count)>& begin,
                           const std::function<void(const ThreadEntry&)>& visit) override;

    StoreResult<ThreadVersion> threadVersion(std::string_view title) override;

    StoreResult<std::unique_ptr<Upload>> beginUpload(std::string_view title,
                                                     std::string_view fileName,
                                                     std::string_view uploader,
                                                     std::uint64_t size) override;
    StoreResult<std::unique_ptr<FileReader>> openFile(std::string_view title,
                                                      std::string_view fileName) override;
    StoreResult<std::vector<FileInfo>> listFiles(std::string_view title) override;
    StoreStatus removeFile(std::string_view title, std::string_view fileName,
                           std::string_view requester) override;

    void checkpoint() override;
    int schemaVersion() override;

    // What beginUpload checked, for the commit to check again.
    struct PendingFile {
        std::int64_t threadId = 0;
        std::string fileName;
        std::int64_t uploaderId = 0;
        std::uint64_t size = 0;
    };
    // The last step of Upload::commit: the blob is already durable in files/<blob>; inserts
    // its row in one write transaction if the thread still exists (ThreadNotFound) and the
    // name is still free (AlreadyExists). The caller unlinks the blob if this fails.
    StoreResult<FileInfo> insertUploadedFile(const PendingFile& file, const std::string& blob,
                                             const std::string& sha256);
    const std::filesystem::path& filesDir() const { return filesDir_; }

private:
    void prepareDirectories();
    void lockDataDirectory();
    void checkAndMigrateSchema();
    void removeCrashLeftovers();
    void requireWritable() const;

    // Runs body(connection) in one IMMEDIATE transaction under writerMu_ and commits if it
    // returns success; SQLITE_FULL becomes StorageFull, other SQLite errors propagate.
    template <typename T, typename Body>
    StoreResult<T> inWriteTransaction(Body&& body);
    // Runs body(connection) in one read transaction (one snapshot) and returns its result.
    template <typename Body>
    auto inReadTransaction(Body&& body);

    const StoreOptions options_;
    const StoreTestHooks hooks_;
    const std::filesystem::path databaseFile_;
    const std::filesystem::path filesDir_;
    const std::filesystem::path tmpDir_;
    UniqueFd lockFd_;  // holds the flock on <dataDir>/lock while we are the owner
    PasswordHasher hasher_;
    std::unique_ptr<ConnectionPool> pool_;
    std::mutex writerMu_;  // held for the whole of every write transaction of this process
};

}  // namespace dfp::storage
