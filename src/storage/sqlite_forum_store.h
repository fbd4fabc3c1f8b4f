#pragma once

// SqliteForumStore: the ForumStore over SQLite (WAL) and a blob directory (internal to
// src/storage; everyone else gets a ForumStore from openForumStore). docs/storage.md
// describes the files, the durability and the concurrency model.
//
// Thread-safety: every ForumStore method may run on any number of threads at once. Each call
// leases its own pooled connection, so a SQLite connection is never used by two threads.
// Writes are grouped (docs/storage.md, "Group commit"): a caller queues its write under
// queueMu_; the store's writer thread runs the queued writes in batches, each batch in one
// transaction under writerMu_, and hands each write its result only after the COMMIT: to a
// caller sleeping until then, or to the callback of a write queued without waiting
// (postMessageLater). A write that finds no batch running and none queued runs at once on
// its caller's thread instead. So this process's writers never spin in SQLite's busy handler (which
// remains for other processes, such as dfp-admin). Readers take neither mutex: in
// WAL mode they read a snapshot while a write is in progress. No lock is held while hashing a
// password or doing file I/O on upload bytes.
//
// Uploads handed out by beginUpload refer to the store for their commit: they must not
// outlive it. FileReaders hold only their open descriptor.

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/checkpointer.h"
#include "storage/connection_pool.h"
#include "storage/forum_store.h"
#include "storage/password_hasher.h"
#include "storage/posix_file.h"
#include "storage/wal_index_mark.h"

namespace dfp::storage {

// Seams for tests to provoke failures that a healthy machine does not produce on demand
// (leveldb's ErrorEnv idea). Production code passes none.
struct StoreTestHooks {
    // Replaces write(2) for upload temp files: ENOSPC, EIO, short writes, EINTR.
    std::function<ssize_t(int fd, const void* data, std::size_t size)> uploadWrite;
    // PRAGMA max_page_count on every connection (0 = none), so the database "fills up" and
    // writes fail with SQLITE_FULL.
    std::int64_t maxPageCount = 0;
    // Called at the COMMIT of every write transaction (as SQLite's commit hook); returning
    // true makes that COMMIT fail (SQLITE_CONSTRAINT_COMMITHOOK) and roll back. Also lets a
    // test count real commits.
    std::function<bool()> failCommit;
    // Called on the writer thread, without any lock, before it begins a batch's
    // transaction, with the number of writes in the batch. It may block (to let a test queue
    // writers behind a batch) but must not call the store.
    std::function<void(std::size_t batchSize)> beforeBatch;
    // Called when a writer has queued its write, with the number of writes now waiting for a
    // batch (the batch in progress not included). Under the queue mutex: it must not block
    // or call the store.
    std::function<void(std::size_t waiting)> queued;
    // Called inside a batch's transaction after each write's body has returned, before its
    // savepoint is released; what it throws counts as thrown by that body.
    std::function<void()> afterWriteBody;
    // The WAL sizes (in pages) at which the checkpointer thread is asked for a checkpoint,
    // and at which a committing writer checkpoints itself (Checkpointer::Limits); 0: the
    // defaults.
    int checkpointPages = 0;
    int inlineCheckpointPages = 0;
    // Called on the checkpointer thread before each background checkpoint; it may block (to
    // hold checkpoints back while a test writes) but must not call the store.
    std::function<void()> beforeCheckpoint;
    // Called by the destructor once it has told the writer thread to stop, before it waits for
    // it to finish what is queued (to let a test release a batch it holds only then). It must
    // not call the store.
    std::function<void()> closing;
    // Called on the checkpointer thread after each background checkpoint, with SQLite's
    // result code, the WAL's frames and how many of them are now in the database file.
    std::function<void(int result, int walFrames, int checkpointedFrames)> checkpointed;
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

    StoreResult<std::optional<ViewVersion>> createThreadStamped(std::string_view title,
                                                                std::string_view creator) override;
    void listThreads(const std::function<void(std::uint64_t count)>& begin,
                     const std::function<void(const ThreadInfo&)>& visit) override;
    StoreStatus removeThread(std::string_view title, std::string_view requester) override;

    StoreResult<PostedMessage> postMessageStamped(std::string_view title, std::string_view author,
                                                  std::string_view text) override;
    // Queues the message for the writer thread and returns at once; done runs there.
    void postMessageLater(std::string title, std::string author, std::string text,
                          PostedCallback done) override;
    StoreStatus editMessage(std::string_view title, MessageNumber number, std::string_view author,
                            std::string_view text) override;
    StoreStatus deleteMessage(std::string_view title, MessageNumber number,
                              std::string_view author) override;

    StoreStatus readThread(std::string_view title,
                           const std::function<void(std::uint64_t count)>& begin,
                           const std::function<void(const ThreadEntry&)>& visit) override;

    StoreResult<ViewVersion> threadVersion(std::string_view title) override;
    std::optional<CommitMark> commitMark() override;
    ViewVersion threadListVersion() override;

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

    // One queued write: a caller's body, and what came of it. A waiting caller's lives on its
    // stack until the writer thread has told it kDone; a write queued without waiting owns
    // itself and goes once finished.
    class PendingWrite {
    public:
        PendingWrite() = default;
        PendingWrite(const PendingWrite&) = delete;
        PendingWrite& operator=(const PendingWrite&) = delete;

        // Runs the body inside the batch's transaction; true when it succeeded (its changes
        // are to be kept). May throw whatever the body throws.
        virtual bool run(Connection& connection) = 0;
        // Forgets the outcome of run(): its changes were rolled back.
        virtual void discard() = 0;
        // The writer thread's last touch, after the COMMIT (or the failure) made the outcome
        // final: tells the waiting caller, or hands the outcome on and deletes the write.
        virtual void finish() noexcept = 0;
        // The outcome is this failure instead (StorageFull for SQLITE_FULL, else the
        // exception); final.
        void fail(std::exception_ptr error);
        bool failed() const { return failed_; }

    protected:
        ~PendingWrite() = default;
        std::exception_ptr error_;  // rethrown to the caller; written by the writer thread
        bool storageFull_ = false;  // the caller gets StorageFull; written by the writer thread
        bool failed_ = false;       // error_ or storageFull_ is the outcome

    private:
        friend class SqliteForumStore;
        // What a waiting caller is told, once, by the writer thread: its outcome is final
        // (kDone). Set without queueMu_ held and waited on with a futex on this word, so a
        // woken caller does not then queue for the mutex the writer thread may hold;
        // release/acquire publishes the outcome fields.
        enum : int { kWaiting, kDone };
        std::atomic<int> state_{kWaiting};
        static_assert(sizeof(std::atomic<int>) == sizeof(int) &&
                          std::atomic<int>::is_always_lock_free,
                      "a futex waits on the atomic's own int");
    };
    template <typename T, typename Body>
    class TypedWrite;
    template <typename T, typename Body>
    class LaterWrite;

    // Runs body(connection) in a write transaction, possibly shared with other writers' bodies
    // (group commit), and returns its result once that transaction has committed. A refused
    // body (an error result) or a throwing one changes nothing; SQLITE_FULL becomes
    // StorageFull, other exceptions reach the caller. A body may run more than once (when a
    // batch-mate's failure ended the transaction) and must have no effect outside the
    // connection but setting its caller's outputs.
    template <typename T, typename Body>
    StoreResult<T> inWriteTransaction(Body&& body);
    // Queues write and returns when its outcome is final.
    void submitWrite(PendingWrite& write);
    // Queues write for the writer thread, waking it if it sleeps; or, when mayRunHere, no batch
    // runs and none waits, runs it at once on this thread. Either way finish() is its last
    // touch. A caller that waits for the outcome anyway lets it run here (no hand-off to the
    // writer thread and back); one that queues and goes on does not, so that it serves its
    // next request while the writer thread commits this one with whatever comes meanwhile.
    void enqueue(PendingWrite& write, bool mayRunHere);
    // Sets a waiting write's state and wakes its caller.
    static void tell(PendingWrite& write, int state) noexcept;
    // The writer thread: runs batches of queued writes until the store closes.
    void writeLoop() noexcept;
    // One batch, in as few transactions as it can. Never throws: every write of the batch
    // ends with an outcome.
    void runBatch(const std::vector<PendingWrite*>& batch) noexcept;
    // MSG's body, shared by postMessageStamped and postMessageLater.
    StoreResult<PostedMessage> postInto(Connection& connection, std::string_view title,
                                        std::string_view author, std::string_view text);
    // One transaction of a batch: each write in its own savepoint, then the COMMIT if any
    // succeeded. Returns the writes to run again in a new transaction, because a write's
    // failure ended this one. Throws if BEGIN, a savepoint or the COMMIT fails.
    std::vector<PendingWrite*> runRound(Connection& connection,
                                        const std::vector<PendingWrite*>& writes);
    // One PASSIVE checkpoint, on the checkpointer's thread and its own connection.
    void backgroundCheckpoint();
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
    // The -shm file's header, read for commitMark(); none when read-only or unreadable. Sound
    // while pool_ keeps connections open (wal_index_mark.h): declared after it, it goes first.
    std::optional<WalIndexMark> walIndex_;
    std::mutex writerMu_;  // held for the whole of every write transaction of this process
    std::mutex queueMu_;
    std::deque<PendingWrite*> queue_;  // guarded by queueMu_: writes not yet in a batch
    bool running_ = false;             // guarded by queueMu_: a batch is running (on any thread)
    bool writerAsleep_ = false;        // guarded by queueMu_: the writer thread waits for work
    bool closing_ = false;             // guarded by queueMu_: the writer thread is to stop
    std::condition_variable work_;     // the writer thread sleeps on it with queueMu_
    std::thread writer_;               // runs writeLoop(); none when read-only
    // Used by the checkpointer's thread alone; null when read-only.
    std::unique_ptr<Connection> checkpointConnection_;
    std::unique_ptr<Checkpointer> checkpointer_;  // null when read-only; goes first
};

}  // namespace dfp::storage
