#include "storage/sqlite_forum_store.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sodium.h>
#include <sqlite3.h>

#include "storage/migration_runner.h"
#include "storage/migrations.h"
#include "storage/pipelined_sha256.h"
#include "storage/sha256.h"
#include "storage/sqlite_statements.h"

namespace dfp::storage {

const char kThreadEntriesSql[] =
    "SELECT m.seq, 0, m.number, u.name, m.text, m.created, m.edited IS NOT NULL"
    " FROM messages AS m JOIN users AS u ON u.id = m.author_id WHERE m.thread_id = ?1"
    " UNION ALL"
    " SELECT f.seq, 1, 0, u.name, f.name, f.created, 0"
    " FROM files AS f JOIN users AS u ON u.id = f.uploader_id WHERE f.thread_id = ?1"
    " ORDER BY 1";

namespace {

constexpr std::size_t kBlobIdBytes = 16;  // 32 hex characters

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

using WriteFunction = std::function<ssize_t(int fd, const void* data, std::size_t size)>;

// Unlinks a blob already renamed into files/ unless its row gets committed.
class BlobGuard {
public:
    explicit BlobGuard(std::filesystem::path path) : path_(std::move(path)) {}
    ~BlobGuard() {
        if (!path_.empty()) {
            (void)unlinkQuietly(path_);
        }
    }
    BlobGuard(const BlobGuard&) = delete;
    BlobGuard& operator=(const BlobGuard&) = delete;
    void dismiss() { path_.clear(); }

private:
    std::filesystem::path path_;
};

// How much an upload writes between two requests to start write-back (startWriteBack).
constexpr std::uint64_t kWriteBackStep = 2ULL << 20;
// Uploads from this size on are hashed on a thread of their own (PipelinedSha256).
constexpr std::uint64_t kPipelinedHashFrom = 4ULL << 20;

class SqliteUpload final : public Upload {
public:
    SqliteUpload(SqliteForumStore& store, SqliteForumStore::PendingFile file,
                 std::filesystem::path tempPath, UniqueFd fd, WriteFunction write)
        : store_(store),
          file_(std::move(file)),
          tempPath_(std::move(tempPath)),
          fd_(std::move(fd)),
          write_(std::move(write)),
          sha_(file_.size >= kPipelinedHashFrom) {}

    ~SqliteUpload() override { discardTempFile(); }

    StoreStatus write(std::string_view bytes) override {
        if (state_ == State::Finished || state_ == State::Failed) {
            throw std::logic_error("write to an upload that is over");
        }
        if (state_ == State::DiskFull) {
            return StoreError::StorageFull;
        }
        // Bytes beyond the announced size are counted (commit reports SizeMismatch) but not
        // stored, so a confused caller cannot fill the disk through a small upload.
        if (received_ > file_.size || bytes.size() > file_.size - received_) {
            received_ += bytes.size();
            return Done{};
        }
        received_ += bytes.size();
        sha_.update(bytes);
        while (!bytes.empty()) {
            const ssize_t n = write_(fd_.get(), bytes.data(), bytes.size());
            if (n < 0) {
                const int error = errno;
                if (error == EINTR) {
                    continue;
                }
                if (isDiskFull(error)) {
                    state_ = State::DiskFull;
                    return StoreError::StorageFull;
                }
                state_ = State::Failed;
                throw std::system_error(error, std::generic_category(),
                                        "write " + tempPath_.string());
            }
            if (n == 0) {
                state_ = State::Failed;
                throw std::runtime_error("write " + tempPath_.string() + " wrote nothing");
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        startWriteBack();
        return Done{};
    }

    std::uint64_t bytesWritten() const override { return received_; }

    // Asks the kernel to start writing what arrived so far, in the background, every
    // kWriteBackStep bytes, so that the disk works while the network does and the fsync
    // before the commit has little left to wait for. Only a hint: commit() still fsyncs.
    // The step before, which has had a step's time to reach the disk, is waited for and
    // dropped from the page cache: a big upload streams through a few MiB of cache instead
    // of pushing the database's pages out with a GiB of blob, and the pages it frees are
    // used again for the next bytes (new pages cost more than the copy itself on this VM:
    // docs/performance-history.md). A download of the blob then reads it from the disk.
    void startWriteBack() {
        const std::uint64_t stored = std::min(received_, file_.size);
        if (stored - writeBackFrom_ < kWriteBackStep) {
            return;
        }
        if (writeBackFrom_ > droppedTo_) {
            const auto from = static_cast<off_t>(droppedTo_);
            const auto length = static_cast<off_t>(writeBackFrom_ - droppedTo_);
            ::sync_file_range(
                fd_.get(), from, length,
                SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
            ::posix_fadvise(fd_.get(), from, length, POSIX_FADV_DONTNEED);
            droppedTo_ = writeBackFrom_;
        }
        ::sync_file_range(fd_.get(), static_cast<off_t>(writeBackFrom_),
                          static_cast<off_t>(stored - writeBackFrom_), SYNC_FILE_RANGE_WRITE);
        writeBackFrom_ = stored;
    }

    StoreResult<FileInfo> commit(const std::optional<std::string>& expectedSha256) override {
        if (state_ == State::Finished || state_ == State::Failed) {
            throw std::logic_error("commit of an upload that is over");
        }
        // Whatever happens below, this upload is over: on any refusal the temp file goes now.
        const State before = std::exchange(state_, State::Finished);
        if (before == State::DiskFull) {
            discardTempFile();
            return StoreError::StorageFull;
        }
        if (received_ != file_.size) {
            discardTempFile();
            return StoreError::SizeMismatch;
        }
        const std::string sha256 = sha_.finishHex();
        // protocol.md §4: the client may send the sha256 in either case.
        if (expectedSha256 && !equalsIgnoringCase(*expectedSha256, sha256)) {
            discardTempFile();
            return StoreError::ChecksumMismatch;
        }

        // The bytes must be durable before a row can point at them: after a power loss a
        // committed row must never name a short or empty blob.
        if (::fsync(fd_.get()) != 0) {
            return failAfterWrite(errno, "fsync");
        }
        if (const int error = fd_.close(); error != 0) {
            return failAfterWrite(error, "close");
        }
        // 128 random bits: a collision with an existing blob is not a practical concern, so a
        // plain rename is enough (and works on every filesystem).
        const std::filesystem::path blobPath = store_.filesDir() / randomHex(kBlobIdBytes);
        if (::rename(tempPath_.c_str(), blobPath.c_str()) != 0) {
            return failAfterWrite(errno, "rename");
        }
        tempPath_.clear();
        BlobGuard blob(blobPath);
        fsyncDirectory(store_.filesDir());
        StoreResult<FileInfo> stored =
            store_.insertUploadedFile(file_, blobPath.filename().string(), sha256);
        if (stored) {
            blob.dismiss();
        }
        return stored;
    }

private:
    enum class State {
        Open,
        DiskFull,  // a write hit ENOSPC/EDQUOT: later writes and the commit say StorageFull
        Failed,    // a write threw: the upload is unusable
        Finished,  // commit() ran, whatever its outcome
    };

    StoreResult<FileInfo> failAfterWrite(int error, const char* what) {
        discardTempFile();
        if (isDiskFull(error)) {
            return StoreError::StorageFull;
        }
        throw std::system_error(error, std::generic_category(), what);
    }

    void discardTempFile() {
        fd_.reset();
        if (!tempPath_.empty()) {
            (void)unlinkQuietly(tempPath_);
            tempPath_.clear();
        }
    }

    SqliteForumStore& store_;
    const SqliteForumStore::PendingFile file_;
    std::filesystem::path tempPath_;  // empty once renamed or discarded
    UniqueFd fd_;
    WriteFunction write_;
    PipelinedSha256 sha_;
    std::uint64_t received_ = 0;
    std::uint64_t writeBackFrom_ = 0;  // bytes before this have been handed to write-back
    std::uint64_t droppedTo_ = 0;      // bytes before this are on disk and out of the cache
    State state_ = State::Open;
};

class SqliteFileReader final : public FileReader {
public:
    SqliteFileReader(FileInfo info, UniqueFd fd) : info_(std::move(info)), fd_(std::move(fd)) {}

    const FileInfo& info() const override { return info_; }
    int descriptor() const override { return fd_.get(); }

    std::size_t readInto(char* buffer, std::size_t size) override {
        for (;;) {
            const ssize_t n = ::read(fd_.get(), buffer, size);
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno != EINTR) {
                throw std::system_error(errno, std::generic_category(),
                                        "read the blob of " + info_.name);
            }
        }
    }

private:
    const FileInfo info_;
    UniqueFd fd_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Opening

SqliteForumStore::SqliteForumStore(const StoreOptions& options, StoreTestHooks hooks)
    : options_([&] {
          StoreOptions normalized = options;
          normalized.owner = normalized.owner && !normalized.readOnly;
          return normalized;
      }()),
      hooks_(std::move(hooks)),
      databaseFile_(options.dataDir / "forum.db"),
      filesDir_(options.dataDir / "files"),
      tmpDir_(options.dataDir / "tmp"),
      hasher_(options.passwordCost, options.maxConcurrentHashes) {
    if (sodium_init() < 0) {
        throw StoreOpenError("libsodium failed to initialise");
    }
    try {
        prepareDirectories();
        if (options_.owner) {
            lockDataDirectory();
        }
        checkAndMigrateSchema();
        ConnectionSettings settings;
        settings.databaseFile = databaseFile_;
        settings.readOnly = options_.readOnly;
        settings.synchronousFull = options_.durability == Durability::Full;
        settings.busyTimeoutMs = kBusyTimeoutMs;
        settings.maxPageCount = hooks_.maxPageCount;
        if (!options_.readOnly) {
            // Its own connection, not a pooled one: a checkpoint taking the pool's idle
            // connection would make a reader open another, with another page cache to fill.
            checkpointConnection_ = std::make_unique<Connection>(settings);
        }
        pool_ = std::make_unique<ConnectionPool>(std::move(settings));
        // Open one connection now, so a database that cannot be used fails here.
        { auto connection = pool_->acquire(); }
        if (!options_.readOnly) {
            walIndex_ = WalIndexMark::open(databaseFile_);
        }
        if (options_.owner) {
            removeCrashLeftovers();
        }
        if (!options_.readOnly) {
            Checkpointer::Limits limits;
            if (hooks_.checkpointPages > 0) {
                limits.backgroundPages = hooks_.checkpointPages;
            }
            if (hooks_.inlineCheckpointPages > 0) {
                limits.inlinePages = hooks_.inlineCheckpointPages;
            }
            checkpointer_ =
                std::make_unique<Checkpointer>(limits, [this] { backgroundCheckpoint(); });
        }
    } catch (const StoreOpenError&) {
        throw;
    } catch (const std::exception& e) {
        throw StoreOpenError("cannot open the store in " + options_.dataDir.string() + ": " +
                             e.what());
    }
    if (!options_.readOnly) {
        writer_ = std::thread([this] { writeLoop(); });
    }
}

SqliteForumStore::~SqliteForumStore() {
    if (writer_.joinable()) {
        // Nobody can queue a write any more; the writer thread finishes what is queued (the
        // callbacks of writes queued without waiting included) and stops.
        {
            std::lock_guard lock(queueMu_);
            closing_ = true;
        }
        work_.notify_one();
        if (hooks_.closing) {
            hooks_.closing();
        }
        writer_.join();
    }
}

void SqliteForumStore::prepareDirectories() {
    if (options_.readOnly) {
        // Read-only touches nothing, so there is nothing to create either.
        if (!std::filesystem::exists(databaseFile_)) {
            throw StoreOpenError("no database at " + databaseFile_.string());
        }
        return;
    }
    // A new data directory is the owner's alone: forum.db holds the password hashes, and the
    // process umask (often 022) would leave it readable by every local user.
    if (std::filesystem::create_directories(options_.dataDir)) {
        std::filesystem::permissions(options_.dataDir, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace);
    }
    std::filesystem::create_directories(filesDir_);
    std::filesystem::create_directories(tmpDir_);
}

void SqliteForumStore::lockDataDirectory() {
    UniqueFd fd = tryLockFile(options_.dataDir / "lock");
    if (!fd) {
        throw StoreOpenError("data directory " + options_.dataDir.string() +
                             " is in use by another dfp-server");
    }
    lockFd_ = std::move(fd);
}

void SqliteForumStore::checkAndMigrateSchema() {
    const int flags =
        options_.readOnly ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    SQLite::Database db(databaseFile_, flags, kBusyTimeoutMs);
    // A database from a newer dfp must be left exactly as it is. Reading user_version writes
    // nothing, but closing the last connection to a WAL database checkpoints the WAL into
    // the file, so until the version is known this connection must not checkpoint on close.
    sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    const int version = readSchemaVersion(db);
    const int latest = latestSchemaVersion();
    if (version > latest) {
        throw StoreOpenError("database schema version " + std::to_string(version) +
                             " is newer than this program supports (" + std::to_string(latest) +
                             "); upgrade dfp");
    }
    if (options_.readOnly) {
        if (version < latest) {
            throw StoreOpenError("database schema version " + std::to_string(version) +
                                 " is older than this program's (" + std::to_string(latest) +
                                 "): migrations are pending; open it read-write to apply them");
        }
        return;
    }
    sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
    // journal_mode=WAL is stored in the file; every later connection inherits it.
    const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") {
        throw StoreOpenError("cannot put " + databaseFile_.string() +
                             " in WAL mode (journal_mode is " + mode + ")");
    }
    applyMigrations(db, embeddedMigrations());
}

void SqliteForumStore::removeCrashLeftovers() {
    // tmp/ holds only uploads in progress, and as the owner nobody else's are in flight.
    std::vector<std::filesystem::path> leftovers;
    for (const auto& entry : std::filesystem::directory_iterator(tmpDir_)) {
        leftovers.push_back(entry.path());
    }
    // A blob without a row is an upload that crashed between its rename and its commit, or a
    // removal that crashed between its commit and its unlink.
    {
        auto connection = pool_->acquire();
        SQLite::Transaction snapshot(connection->db(), SQLite::TransactionBehavior::DEFERRED);
        for (const auto& entry : std::filesystem::directory_iterator(filesDir_)) {
            auto query = connection->prepare(kBlobReferenced);
            bindText(*query, 1, entry.path().filename().string());
            if (!query->executeStep()) {
                leftovers.push_back(entry.path());
            }
        }
    }
    for (const auto& path : leftovers) {
        std::filesystem::remove_all(path);
    }
}

void SqliteForumStore::requireWritable() const {
    if (options_.readOnly) {
        throw std::logic_error("the store was opened read-only");
    }
}

// ---------------------------------------------------------------------------------------------
// Writes: group commit

namespace {

// A bigger batch makes its first writers wait for the bodies of all the others; 64 short
// bodies take well under a millisecond, about one fsync.
constexpr std::size_t kMaxBatch = 64;

// The statements that bracket each body of a batch. Named, so a body's own failure cannot
// leave a different savepoint to roll back to.
constexpr char kSavepoint[] = "SAVEPOINT dfp_write";
constexpr char kReleaseSavepoint[] = "RELEASE dfp_write";
constexpr char kRollbackToSavepoint[] = "ROLLBACK TO dfp_write";

// sqlite3_commit_hook callback for StoreTestHooks::failCommit: nonzero turns the COMMIT into
// a rollback that fails with SQLITE_CONSTRAINT_COMMITHOOK.
int failCommitHook(void* hook) {
    return (*static_cast<const std::function<bool()>*>(hook))() ? 1 : 0;
}

// Undoes what the body since kSavepoint did; false if the transaction itself is gone
// (SQLite rolls a whole transaction back on some errors, SQLITE_FULL and SQLITE_IOERR among
// them) or cannot be trusted any more.
bool rollbackToSavepoint(Connection& connection) noexcept {
    if (connection.inAutocommit()) {
        return false;
    }
    try {
        connection.prepare(kRollbackToSavepoint)->exec();
        connection.prepare(kReleaseSavepoint)->exec();
        return true;
    } catch (...) {
        return false;
    }
}

// A failure of a whole batch reaches many callers, each rethrowing it on its own thread: each
// gets its own copy with its own message (copies of a std::runtime_error share one
// reference-counted message string). The type is kept for SQLite errors, which storage
// classifies; other exceptions become std::runtime_error with the same message.
std::exception_ptr copyForOneCaller(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const SQLite::Exception& e) {
        return std::make_exception_ptr(SQLite::Exception(std::string(e.what()), e.getErrorCode()));
    } catch (const std::exception& e) {
        return std::make_exception_ptr(std::runtime_error(std::string(e.what())));
    } catch (...) {
        return error;
    }
}

}  // namespace

void SqliteForumStore::PendingWrite::fail(std::exception_ptr error) {
    failed_ = true;
    try {
        std::rethrow_exception(error);
    } catch (const SQLite::Exception& e) {
        if (isDatabaseFull(e)) {
            storageFull_ = true;
            return;
        }
        error_ = std::make_exception_ptr(e);
    } catch (...) {
        error_ = std::current_exception();
    }
}

// A write whose body gives a StoreResult<T>. A waiting caller's (the default finish() wakes
// it); LaterWrite below is one queued without waiting.
template <typename T, typename Body>
class SqliteForumStore::TypedWrite : public SqliteForumStore::PendingWrite {
public:
    explicit TypedWrite(Body body) : body_(std::move(body)) {}

    bool run(Connection& connection) override {
        result_.emplace(body_(connection));
        return static_cast<bool>(*result_);
    }
    void discard() override { result_.reset(); }
    void finish() noexcept override { tell(*this, kDone); }

    // Once done: the result, or the failure.
    StoreResult<T> take() {
        if (error_) {
            std::rethrow_exception(error_);
        }
        if (storageFull_) {
            return StoreError::StorageFull;
        }
        // A write always ends with an outcome (runBatch); this guards our own invariant.
        if (!result_) {
            throw std::logic_error("a write ended without an outcome");
        }
        return std::move(*result_);
    }

private:
    Body body_;
    std::optional<StoreResult<T>> result_;
};

template <typename T, typename Body>
StoreResult<T> SqliteForumStore::inWriteTransaction(Body&& body) {
    requireWritable();
    TypedWrite<T, std::decay_t<Body>> write(std::forward<Body>(body));
    submitWrite(write);
    return write.take();
}

// A write queued without a waiting caller: it owns its body (and what the body refers to),
// hands its outcome to the callback on the thread that finishes it, and then goes.
template <typename T, typename Body>
class SqliteForumStore::LaterWrite final : public SqliteForumStore::TypedWrite<T, Body> {
public:
    using Done = std::function<void(const StoreResult<T>*, std::exception_ptr)>;
    LaterWrite(Body body, Done done)
        : TypedWrite<T, Body>(std::move(body)), done_(std::move(done)) {}

    void finish() noexcept override {
        std::unique_ptr<LaterWrite> self(this);
        try {
            handOver<T>([this] { return this->take(); }, done_);
        } catch (...) {
            // The callback must not throw (forum_store.h); the writer thread goes on regardless.
        }
    }

private:
    const Done done_;
};

void SqliteForumStore::submitWrite(PendingWrite& write) {
    enqueue(write, /*mayRunHere=*/true);
    while (write.state_.load(std::memory_order_acquire) == PendingWrite::kWaiting) {
        // Sleeps only while the word still reads kWaiting (the kernel checks), so a tell()
        // that came first is never missed; a wake-up for nothing just loops.
        ::syscall(SYS_futex, &write.state_, FUTEX_WAIT_PRIVATE, PendingWrite::kWaiting, nullptr,
                  nullptr, 0);
    }
}

void SqliteForumStore::enqueue(PendingWrite& write, bool mayRunHere) {
    std::unique_lock lock(queueMu_);
    if (mayRunHere && !running_ && queue_.empty()) {
        // Nobody writes and nobody waits: a lone write runs at once on its caller's thread,
        // without the hand-off to the writer thread and back (two wake-ups).
        running_ = true;
        lock.unlock();
        runBatch({&write});
        lock.lock();
        running_ = false;
        const bool wake = !queue_.empty() && std::exchange(writerAsleep_, false);
        lock.unlock();
        if (wake) {
            work_.notify_one();  // writes queued behind this one
        }
        write.finish();
        return;
    }
    queue_.push_back(&write);
    if (hooks_.queued) {
        hooks_.queued(queue_.size());
    }
    // Only a sleeping writer thread needs the wake-up: a running one looks at the queue again
    // before it sleeps.
    const bool wake = std::exchange(writerAsleep_, false);
    lock.unlock();
    if (wake) {
        work_.notify_one();
    }
}

void SqliteForumStore::writeLoop() noexcept {
    std::unique_lock lock(queueMu_);
    for (;;) {
        if (closing_ && queue_.empty()) {
            return;
        }
        if (queue_.empty() || running_) {
            // Asleep is set at every wait, so whoever queues next (or the caller running a
            // lone write, when it is done) knows to wake this thread; spurious wake-ups loop.
            writerAsleep_ = true;
            work_.wait(lock);
            writerAsleep_ = false;
            continue;
        }
        running_ = true;
        // Up to kMaxBatch writes, oldest first: writers are served in arrival order.
        const std::size_t size = std::min(queue_.size(), kMaxBatch);
        std::vector<PendingWrite*> batch(queue_.begin(), queue_.begin() + static_cast<long>(size));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(size));
        lock.unlock();
        runBatch(batch);
        for (PendingWrite* write : batch) {
            write->finish();  // the write may be gone once this returns
        }
        lock.lock();
        running_ = false;
    }
}

void SqliteForumStore::tell(PendingWrite& write, int state) noexcept {
    // Once the store is seen the waiter may return and its write go: the wake-up names only
    // the address (waking nobody, or a later waiter there for nothing, is harmless). Always
    // a FUTEX_WAKE, never skipped on a guess that nobody sleeps.
    std::atomic<int>* const address = &write.state_;
    address->store(state, std::memory_order_release);
    ::syscall(SYS_futex, address, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

void SqliteForumStore::runBatch(const std::vector<PendingWrite*>& batch) noexcept {
    std::vector<PendingWrite*> pending = batch;  // the writes of the current round
    try {
        if (hooks_.beforeBatch) {
            hooks_.beforeBatch(batch.size());
        }
        std::lock_guard writer(writerMu_);
        auto connection = pool_->acquire();
        checkpointer_->watch(connection->db().getHandle());
        if (hooks_.failCommit) {
            sqlite3_commit_hook(connection->db().getHandle(), &failCommitHook,
                                const_cast<std::function<bool()>*>(&hooks_.failCommit));
        }
        // Each round is one transaction. A round ends early only when a write's failure took
        // the transaction with it: that write keeps its failure and the others run again in
        // a new one, so every round has fewer writes than the one before.
        while (!pending.empty()) {
            pending = runRound(*connection, pending);
        }
    } catch (...) {
        // BEGIN, a savepoint, the COMMIT or the connection failed: nothing of the round was
        // committed, so each of its writes without a failure of its own gets this one.
        const std::exception_ptr error = std::current_exception();
        for (PendingWrite* write : pending) {
            if (!write->failed()) {
                write->discard();
                write->fail(copyForOneCaller(error));
            }
        }
    }
}

std::vector<SqliteForumStore::PendingWrite*> SqliteForumStore::runRound(
    Connection& connection, const std::vector<PendingWrite*>& writes) {
    // A lone write needs no savepoint: if it fails, nothing is committed at all.
    const bool savepoints = writes.size() > 1;
    std::vector<PendingWrite*> kept;  // succeeded or refused, their outcome not final yet
    bool anySucceeded = false;
    SQLite::Transaction transaction(connection.db(), SQLite::TransactionBehavior::IMMEDIATE);
    for (auto next = writes.begin(); next != writes.end(); ++next) {
        PendingWrite* write = *next;
        if (savepoints) {
            connection.prepare(kSavepoint)->exec();
        }
        bool succeeded = false;
        try {
            succeeded = write->run(connection);
            if (hooks_.afterWriteBody) {
                hooks_.afterWriteBody();
            }
        } catch (...) {
            write->fail(std::current_exception());
        }
        // What the write did stays only if it succeeded; otherwise back to its savepoint.
        bool transactionIntact = !connection.inAutocommit();
        if (transactionIntact && savepoints) {
            if (succeeded && !write->failed()) {
                connection.prepare(kReleaseSavepoint)->exec();
            } else {
                transactionIntact = rollbackToSavepoint(connection);
            }
        }
        if (!transactionIntact) {
            // SQLite ended the transaction (it does on SQLITE_FULL, SQLITE_IOERR...), or it
            // cannot be trusted: everything that ran in it is lost and runs again, except this
            // write, which ends with its failure. The destructor rolls back what is left.
            if (!write->failed()) {
                write->discard();
                write->fail(std::make_exception_ptr(
                    std::runtime_error("the write transaction was lost during a write")));
            }
            std::vector<PendingWrite*> again = kept;
            for (PendingWrite* other : kept) {
                other->discard();
            }
            again.insert(again.end(), next + 1, writes.end());
            return again;
        }
        if (!write->failed()) {
            kept.push_back(write);
            anySucceeded = anySucceeded || succeeded;
        }
    }
    // Every write refused or failed: nothing to keep, and the destructor rolls back.
    if (anySucceeded) {
        transaction.commit();
    }
    return {};
}

template <typename Body>
auto SqliteForumStore::inReadTransaction(Body&& body) {
    auto connection = pool_->acquire();
    // A deferred transaction takes its snapshot at the first read and holds it to the end;
    // it has nothing to commit, so the destructor's rollback simply ends it.
    SQLite::Transaction snapshot(connection->db(), SQLite::TransactionBehavior::DEFERRED);
    return body(*connection);
}

// ---------------------------------------------------------------------------------------------
// Users

StoreResult<std::string> SqliteForumStore::findUser(std::string_view name) {
    return inReadTransaction([&](Connection& connection) -> StoreResult<std::string> {
        auto query = connection.prepare(kFindUser);
        bindText(*query, 1, name);
        if (!query->executeStep()) {
            return StoreError::UserNotFound;
        }
        return query->getColumn(1).getString();
    });
}

StoreResult<std::string> SqliteForumStore::createUser(std::string_view name,
                                                      std::string_view password) {
    requireWritable();
    // Refuse a taken name before paying for a hash (64 MiB and ~50 ms at Interactive). The
    // insert below is still what decides: another thread may register the name meanwhile.
    if (findUser(name)) {
        return StoreError::AlreadyExists;
    }
    // Hashed outside any transaction and lock, so a slow hash holds up no other writer.
    const std::string hash = hasher_.hash(password);
    return inWriteTransaction<std::string>([&](Connection& connection) -> StoreResult<std::string> {
        auto insert = connection.prepare(kInsertUser);
        bindText(*insert, 1, name);
        insert->bind(2, hash);
        insert->bind(3, now());
        try {
            insert->exec();
        } catch (const SQLite::Exception& e) {
            // The NOCASE unique index: "yoda" after "Yoda" (protocol.md §3).
            if (isUniqueViolation(e)) {
                return StoreError::AlreadyExists;
            }
            throw;
        }
        return std::string(name);
    });
}

StoreResult<std::string> SqliteForumStore::verifyUser(std::string_view name,
                                                      std::string_view password) {
    struct Account {
        std::string name;
        std::string hash;
    };
    StoreResult<Account> account =
        inReadTransaction([&](Connection& connection) -> StoreResult<Account> {
            auto query = connection.prepare(kUserPassword);
            bindText(*query, 1, name);
            if (!query->executeStep()) {
                return StoreError::UserNotFound;
            }
            return Account{query->getColumn(0).getString(), query->getColumn(1).getString()};
        });
    if (!account) {
        return account.error();
    }
    // Verified after the read transaction ended: it costs as much as hashing.
    if (!hasher_.verify(account->hash, password)) {
        return StoreError::WrongPassword;
    }
    return std::move(account->name);
}

// ---------------------------------------------------------------------------------------------
// Threads

StoreResult<std::optional<ViewVersion>> SqliteForumStore::createThreadStamped(
    std::string_view title, std::string_view creator) {
    return inWriteTransaction<std::optional<ViewVersion>>(
        [&](Connection& connection) -> StoreResult<std::optional<ViewVersion>> {
            const std::optional<std::int64_t> creatorId = findUserId(connection, creator);
            if (!creatorId) {
                return StoreError::UserNotFound;
            }
            if (findThread(connection, title)) {
                return StoreError::AlreadyExists;
            }
            auto insert = connection.prepare(kInsertThread);
            bindText(*insert, 1, title);
            insert->bind(2, *creatorId);
            insert->bind(3, now());
            insert->exec();
            auto stamp = connection.prepare(kThreadVersion);
            bindText(*stamp, 1, title);
            stamp->executeStep();
            return std::optional<ViewVersion>(
                ViewVersion{stamp->getColumn(0).getInt64(), stamp->getColumn(1).getInt64()});
        });
}

void SqliteForumStore::listThreads(const std::function<void(std::uint64_t count)>& begin,
                                   const std::function<void(const ThreadInfo&)>& visit) {
    inReadTransaction([&](Connection& connection) {
        // The count and the rows come from the same snapshot, so they agree.
        {
            auto count = connection.prepare(kCountThreads);
            count->executeStep();
            begin(static_cast<std::uint64_t>(count->getColumn(0).getInt64()));
        }
        auto query = connection.prepare(kListThreads);
        ThreadInfo info;
        while (query->executeStep()) {
            info.title = query->getColumn(0).getString();
            info.creator = query->getColumn(1).getString();
            info.created = query->getColumn(2).getInt64();
            visit(info);
        }
    });
}

StoreStatus SqliteForumStore::removeThread(std::string_view title, std::string_view requester) {
    std::vector<std::string> blobs;
    StoreStatus removed = inWriteTransaction<Done>([&](Connection& connection) -> StoreStatus {
        blobs.clear();  // the body may run again (inWriteTransaction)
        const std::optional<ThreadRow> thread = findThread(connection, title);
        if (!thread) {
            return StoreError::ThreadNotFound;
        }
        if (findUserId(connection, requester) != thread->creatorId) {
            return StoreError::NotCreator;
        }
        {
            auto query = connection.prepare(kThreadBlobs);
            query->bind(1, thread->id);
            while (query->executeStep()) {
                blobs.push_back(query->getColumn(0).getString());
            }
        }
        // Messages and files go with it: ON DELETE CASCADE.
        auto remove = connection.prepare(kDeleteThread);
        remove->bind(1, thread->id);
        remove->exec();
        return Done{};
    });
    if (removed) {
        unlinkBlobs(filesDir_, blobs);
    }
    return removed;
}

// ---------------------------------------------------------------------------------------------
// Messages

StoreResult<ForumStore::PostedMessage> SqliteForumStore::postMessageStamped(std::string_view title,
                                                                            std::string_view author,
                                                                            std::string_view text) {
    return inWriteTransaction<PostedMessage>(
        [&](Connection& connection) { return postInto(connection, title, author, text); });
}

void SqliteForumStore::postMessageLater(std::string title, std::string author, std::string text,
                                        PostedCallback done) {
    requireWritable();
    auto body = [this, title = std::move(title), author = std::move(author),
                 text = std::move(text)](Connection& connection) {
        return postInto(connection, title, author, text);
    };
    auto write = std::make_unique<LaterWrite<PostedMessage, decltype(body)>>(std::move(body),
                                                                             std::move(done));
    enqueue(*write, /*mayRunHere=*/false);
    write.release();  // the writer thread's now: LaterWrite::finish() deletes it
}

StoreResult<ForumStore::PostedMessage> SqliteForumStore::postInto(Connection& connection,
                                                                  std::string_view title,
                                                                  std::string_view author,
                                                                  std::string_view text) {
    const std::optional<ThreadRow> thread = findThread(connection, title);
    if (!thread) {
        return StoreError::ThreadNotFound;
    }
    const std::optional<std::int64_t> authorId = findUserId(connection, author);
    if (!authorId) {
        return StoreError::UserNotFound;
    }
    // Numbers are never reused (protocol.md §4), so EDT/DLT keep meaning the message
    // the user saw: the number comes from a per-thread counter that only grows, where
    // MAX(number)+1 would hand out a deleted last number again. The insert's trigger
    // (migration 0006) moves the counters past it.
    auto insert = connection.prepare(kInsertMessage);
    insert->bind(1, thread->id);
    insert->bind(2, thread->nextNumber);
    insert->bind(3, thread->nextSeq);
    insert->bind(4, *authorId);
    bindText(*insert, 5, text);
    insert->bind(6, now());
    insert->exec();
    // The insert's trigger (migrations 0004, 0006) added one to the version read above,
    // in this transaction: nothing else can come between.
    return PostedMessage{thread->nextNumber, ViewVersion{thread->id, thread->version + 1}};
}

StoreStatus SqliteForumStore::editMessage(std::string_view title, MessageNumber number,
                                          std::string_view author, std::string_view text) {
    return inWriteTransaction<Done>([&](Connection& connection) -> StoreStatus {
        const std::optional<ThreadRow> thread = findThread(connection, title);
        if (!thread) {
            return StoreError::ThreadNotFound;
        }
        const std::optional<MessageRow> message = findMessage(connection, thread->id, number);
        if (!message) {
            return StoreError::MessageNotFound;
        }
        if (findUserId(connection, author) != message->authorId) {
            return StoreError::NotAuthor;
        }
        auto update = connection.prepare(kEditMessage);
        update->bind(1, message->id);
        bindText(*update, 2, text);
        update->bind(3, now());
        update->exec();
        return Done{};
    });
}

StoreStatus SqliteForumStore::deleteMessage(std::string_view title, MessageNumber number,
                                            std::string_view author) {
    return inWriteTransaction<Done>([&](Connection& connection) -> StoreStatus {
        const std::optional<ThreadRow> thread = findThread(connection, title);
        if (!thread) {
            return StoreError::ThreadNotFound;
        }
        const std::optional<MessageRow> message = findMessage(connection, thread->id, number);
        if (!message) {
            return StoreError::MessageNotFound;
        }
        if (findUserId(connection, author) != message->authorId) {
            return StoreError::NotAuthor;
        }
        auto remove = connection.prepare(kDeleteMessage);
        remove->bind(1, message->id);
        remove->exec();
        return Done{};
    });
}

// ---------------------------------------------------------------------------------------------
// The thread view

StoreStatus SqliteForumStore::readThread(std::string_view title,
                                         const std::function<void(std::uint64_t count)>& begin,
                                         const std::function<void(const ThreadEntry&)>& visit) {
    return inReadTransaction([&](Connection& connection) -> StoreStatus {
        const std::optional<ThreadRow> thread = findThread(connection, title);
        if (!thread) {
            return StoreError::ThreadNotFound;
        }
        // The count and the rows come from the same snapshot, so they agree.
        {
            auto count = connection.prepare(kCountEntries);
            count->bind(1, thread->id);
            count->executeStep();
            begin(static_cast<std::uint64_t>(count->getColumn(0).getInt64()));
        }
        // One merged query stepped row by row: the thread is never held in memory whole.
        auto query = connection.prepare(kThreadEntriesSql);
        query->bind(1, thread->id);
        ThreadEntry entry{};
        while (query->executeStep()) {
            const bool upload = query->getColumn(1).getInt() == 1;
            entry.kind = upload ? ThreadEntry::Kind::Upload : ThreadEntry::Kind::Message;
            entry.number = query->getColumn(2).getInt64();
            entry.author = query->getColumn(3).getString();
            entry.text = query->getColumn(4).getString();
            entry.created = query->getColumn(5).getInt64();
            entry.edited = query->getColumn(6).getInt() != 0;
            visit(entry);
        }
        return Done{};
    });
}

StoreResult<ViewVersion> SqliteForumStore::threadVersion(std::string_view title) {
    // No BEGIN: one statement reads one consistent state by itself, and this runs before
    // every RDT.
    auto connection = pool_->acquire();
    auto query = connection->prepare(kThreadVersion);
    bindText(*query, 1, title);
    if (!query->executeStep()) {
        return StoreError::ThreadNotFound;
    }
    return ViewVersion{query->getColumn(0).getInt64(), query->getColumn(1).getInt64()};
}

std::optional<CommitMark> SqliteForumStore::commitMark() {
    return walIndex_ ? walIndex_->read() : std::nullopt;
}

ViewVersion SqliteForumStore::threadListVersion() {
    auto connection = pool_->acquire();
    auto query = connection->prepare(kThreadListVersion);
    if (!query->executeStep()) {
        throw std::logic_error("thread_list has no row");  // migration 0005 makes it
    }
    return ViewVersion{0, query->getColumn(0).getInt64()};
}

// ---------------------------------------------------------------------------------------------
// Files

StoreResult<std::unique_ptr<Upload>> SqliteForumStore::beginUpload(std::string_view title,
                                                                   std::string_view fileName,
                                                                   std::string_view uploader,
                                                                   std::uint64_t size) {
    requireWritable();
    // Read-only checks: nothing is reserved, so commit() checks the thread and name again.
    StoreResult<PendingFile> pending =
        inReadTransaction([&](Connection& connection) -> StoreResult<PendingFile> {
            const std::optional<ThreadRow> thread = findThread(connection, title);
            if (!thread) {
                return StoreError::ThreadNotFound;
            }
            if (fileExists(connection, thread->id, fileName)) {
                return StoreError::AlreadyExists;
            }
            if (size > options_.maxFileSize) {
                return StoreError::TooLarge;
            }
            const std::optional<std::int64_t> uploaderId = findUserId(connection, uploader);
            if (!uploaderId) {
                return StoreError::UserNotFound;
            }
            return PendingFile{thread->id, std::string(fileName), *uploaderId, size};
        });
    if (!pending) {
        return pending.error();
    }
    // Named by a random id, never by the user's file name.
    const std::filesystem::path tempPath = tmpDir_ / (randomHex(kBlobIdBytes) + ".upload");
    UniqueFd fd(::open(tempPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
        const int error = errno;
        if (isDiskFull(error)) {
            return StoreError::StorageFull;
        }
        throw std::system_error(error, std::generic_category(), "create " + tempPath.string());
    }
    WriteFunction write = hooks_.uploadWrite ? hooks_.uploadWrite : WriteFunction(::write);
    return std::unique_ptr<Upload>(std::make_unique<SqliteUpload>(
        *this, std::move(*pending), tempPath, std::move(fd), std::move(write)));
}

StoreResult<FileInfo> SqliteForumStore::insertUploadedFile(const PendingFile& file,
                                                           const std::string& blob,
                                                           const std::string& sha256) {
    return inWriteTransaction<FileInfo>([&](Connection& connection) -> StoreResult<FileInfo> {
        FileInfo info;
        std::int64_t seq = 0;
        {
            // By id, not title: a thread removed and re-created under the same title while the
            // bytes were in flight is not the thread this upload was accepted into.
            auto thread = connection.prepare(kThreadById);
            thread->bind(1, file.threadId);
            if (!thread->executeStep()) {
                return StoreError::ThreadNotFound;
            }
            info.thread = thread->getColumn(0).getString();
            seq = thread->getColumn(1).getInt64();
        }
        if (fileExists(connection, file.threadId, file.fileName)) {
            return StoreError::AlreadyExists;
        }
        {
            auto uploader = connection.prepare(kUserNameById);
            uploader->bind(1, file.uploaderId);
            if (!uploader->executeStep()) {
                return StoreError::UserNotFound;
            }
            info.uploader = uploader->getColumn(0).getString();
        }
        {
            auto take = connection.prepare(kTakeSeq);
            take->bind(1, file.threadId);
            take->exec();
        }
        info.name = file.fileName;
        info.size = file.size;
        info.sha256 = sha256;
        info.created = now();
        auto insert = connection.prepare(kInsertFile);
        insert->bind(1, file.threadId);
        insert->bind(2, file.fileName);
        insert->bind(3, seq);
        insert->bind(4, file.uploaderId);
        insert->bind(5, static_cast<std::int64_t>(file.size));
        insert->bind(6, sha256);
        insert->bind(7, blob);
        insert->bind(8, info.created);
        try {
            insert->exec();
        } catch (const SQLite::Exception& e) {
            if (isUniqueViolation(e)) {
                return StoreError::AlreadyExists;
            }
            throw;
        }
        return info;
    });
}

StoreResult<std::unique_ptr<FileReader>> SqliteForumStore::openFile(std::string_view title,
                                                                    std::string_view fileName) {
    return inReadTransaction(
        [&](Connection& connection) -> StoreResult<std::unique_ptr<FileReader>> {
            const std::optional<ThreadRow> thread = findThread(connection, title);
            if (!thread) {
                return StoreError::ThreadNotFound;
            }
            std::optional<FileRow> file = findFile(connection, thread->id, title, fileName);
            if (!file) {
                return StoreError::FileNotFound;
            }
            // Opened inside the snapshot that shows the row. Removals unlink only after their
            // commit, so a missing blob means the file was removed since: FileNotFound. Once
            // open, the bytes stay readable whatever happens to the file.
            const std::filesystem::path blobPath = filesDir_ / file->blob;
            UniqueFd fd(::open(blobPath.c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd) {
                if (errno == ENOENT) {
                    return StoreError::FileNotFound;
                }
                throw std::system_error(errno, std::generic_category(),
                                        "open " + blobPath.string());
            }
            return std::unique_ptr<FileReader>(
                std::make_unique<SqliteFileReader>(std::move(file->info), std::move(fd)));
        });
}

StoreResult<std::vector<FileInfo>> SqliteForumStore::listFiles(std::string_view title) {
    return inReadTransaction([&](Connection& connection) -> StoreResult<std::vector<FileInfo>> {
        const std::optional<ThreadRow> thread = findThread(connection, title);
        if (!thread) {
            return StoreError::ThreadNotFound;
        }
        auto query = connection.prepare(kListFiles);
        query->bind(1, thread->id);
        std::vector<FileInfo> files;
        while (query->executeStep()) {
            FileInfo info;
            info.thread = std::string(title);
            info.name = query->getColumn(0).getString();
            info.uploader = query->getColumn(1).getString();
            info.size = static_cast<std::uint64_t>(query->getColumn(2).getInt64());
            info.sha256 = query->getColumn(3).getString();
            info.created = query->getColumn(4).getInt64();
            files.push_back(std::move(info));
        }
        return files;
    });
}

StoreStatus SqliteForumStore::removeFile(std::string_view title, std::string_view fileName,
                                         std::string_view requester) {
    std::string blob;
    StoreStatus removed = inWriteTransaction<Done>([&](Connection& connection) -> StoreStatus {
        blob.clear();  // the body may run again (inWriteTransaction)
        const std::optional<ThreadRow> thread = findThread(connection, title);
        if (!thread) {
            return StoreError::ThreadNotFound;
        }
        const std::optional<FileRow> file = findFile(connection, thread->id, title, fileName);
        if (!file) {
            return StoreError::FileNotFound;
        }
        const std::optional<std::int64_t> requesterId = findUserId(connection, requester);
        if (requesterId != file->uploaderId && requesterId != thread->creatorId) {
            return StoreError::NotAllowed;
        }
        auto remove = connection.prepare(kDeleteFile);
        remove->bind(1, file->id);
        remove->exec();
        blob = file->blob;
        return Done{};
    });
    if (removed) {
        unlinkBlobs(filesDir_, {blob});
    }
    return removed;
}

// ---------------------------------------------------------------------------------------------
// Maintenance

void SqliteForumStore::checkpoint() {
    if (options_.readOnly) {
        return;
    }
    // Under the writer mutex so that this process's writers do not keep the WAL growing
    // while TRUNCATE waits for them.
    std::lock_guard writer(writerMu_);
    auto connection = pool_->acquire();
    connection->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

void SqliteForumStore::backgroundCheckpoint() {
    if (hooks_.beforeCheckpoint) {
        hooks_.beforeCheckpoint();
    }
    int walFrames = -1;
    int checkpointed = -1;
    const int result =
        sqlite3_wal_checkpoint_v2(checkpointConnection_->db().getHandle(), nullptr,
                                  SQLITE_CHECKPOINT_PASSIVE, &walFrames, &checkpointed);
    if (hooks_.checkpointed) {
        hooks_.checkpointed(result, walFrames, checkpointed);
    }
}

int SqliteForumStore::schemaVersion() {
    auto connection = pool_->acquire();
    return readSchemaVersion(connection->db());
}

std::unique_ptr<ForumStore> openSqliteForumStore(const StoreOptions& options,
                                                 StoreTestHooks hooks) {
    return std::make_unique<SqliteForumStore>(options, std::move(hooks));
}

std::unique_ptr<ForumStore> openForumStore(const StoreOptions& options) {
    return openSqliteForumStore(options, StoreTestHooks{});
}

}  // namespace dfp::storage
