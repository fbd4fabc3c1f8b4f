// SqliteAdminStore: the AdminStore over the store's SQLite database and blob directory
// (admin_store.h states the contract, docs/storage.md the files and the locking).

#include "storage/admin_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sodium.h>
#include <sqlite3.h>

#include "storage/blob_file.h"
#include "storage/connection_pool.h"
#include "storage/migration_runner.h"
#include "storage/migrations.h"
#include "storage/password_hasher.h"
#include "storage/posix_file.h"
#include "storage/sqlite_forum_store.h"
#include "storage/sqlite_statements.h"

namespace dfp::storage {
namespace {

// The statements only the operator's tool runs; the row lookups and removals it shares
// with the server come from sqlite_statements.h.
constexpr char kStats[] =
    "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM threads),"
    " (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM files),"
    " (SELECT COALESCE(SUM(size), 0) FROM files),"
    " (SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()),"
    " (SELECT MAX(t) FROM (SELECT MAX(created) AS t FROM users"
    "   UNION ALL SELECT MAX(created) FROM threads"
    "   UNION ALL SELECT MAX(MAX(created, COALESCE(edited, 0))) FROM messages"
    "   UNION ALL SELECT MAX(created) FROM files))";
// Grouped subqueries rather than correlated ones: messages has no index by author, so one
// pass per table instead of one per user.
constexpr char kListUsers[] =
    "SELECT u.name, u.created, COALESCE(t.n, 0), COALESCE(m.n, 0), COALESCE(f.n, 0)"
    " FROM users AS u"
    " LEFT JOIN (SELECT creator_id AS id, COUNT(*) AS n FROM threads GROUP BY creator_id) AS t"
    "   ON t.id = u.id"
    " LEFT JOIN (SELECT author_id AS id, COUNT(*) AS n FROM messages GROUP BY author_id) AS m"
    "   ON m.id = u.id"
    " LEFT JOIN (SELECT uploader_id AS id, COUNT(*) AS n FROM files GROUP BY uploader_id) AS f"
    "   ON f.id = u.id"
    " ORDER BY u.id";
// Every thread (?1 NULL) or the one with id ?1. The per-thread subqueries walk the
// (thread_id, ...) unique indexes.
constexpr char kThreadSummaries[] =
    "SELECT t.title, u.name, t.created,"
    " (SELECT COUNT(*) FROM messages WHERE thread_id = t.id),"
    " (SELECT COUNT(*) FROM files WHERE thread_id = t.id),"
    " (SELECT COALESCE(SUM(size), 0) FROM files WHERE thread_id = t.id),"
    " MAX(t.created,"
    "   COALESCE((SELECT MAX(MAX(created, COALESCE(edited, 0))) FROM messages"
    "             WHERE thread_id = t.id), 0),"
    "   COALESCE((SELECT MAX(created) FROM files WHERE thread_id = t.id), 0))"
    " FROM threads AS t JOIN users AS u ON u.id = t.creator_id"
    " WHERE ?1 IS NULL OR t.id = ?1 ORDER BY t.id";
// Every file (?1 NULL) or those of thread id ?1, in thread then posting order.
constexpr char kStoredFiles[] =
    "SELECT t.title, f.name, u.name, f.size, f.sha256, f.created, f.blob"
    " FROM files AS f JOIN threads AS t ON t.id = f.thread_id"
    " JOIN users AS u ON u.id = f.uploader_id"
    " WHERE ?1 IS NULL OR f.thread_id = ?1 ORDER BY f.thread_id, f.seq";
constexpr char kBackedUpBlobs[] = "SELECT blob, size FROM files";
constexpr char kSetPasswordHash[] = "UPDATE users SET password_hash = ?2 WHERE id = ?1";

// A blob that vanished between the backup's snapshot and its link (removed meanwhile) makes
// the backup start over; more than this many times in a row means something else is wrong.
constexpr int kBackupAttempts = 3;

std::uint64_t toCount(std::int64_t value) {
    return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

bool isNotFound(const std::system_error& e) {
    return e.code() == std::errc::no_such_file_or_directory;
}

std::string fileSubject(const StoredFile& file) {
    return file.info.thread + "/" + file.info.name;
}

ThreadSummary readThreadSummary(SQLite::Statement& query) {
    ThreadSummary summary;
    summary.title = query.getColumn(0).getString();
    summary.creator = query.getColumn(1).getString();
    summary.created = query.getColumn(2).getInt64();
    summary.messages = toCount(query.getColumn(3).getInt64());
    summary.files = toCount(query.getColumn(4).getInt64());
    summary.fileBytes = toCount(query.getColumn(5).getInt64());
    summary.lastActivity = query.getColumn(6).getInt64();
    return summary;
}

// Binds ?1 to a thread id, or NULL for every thread.
void bindThreadFilter(SQLite::Statement& query, std::optional<std::int64_t> threadId) {
    if (threadId) {
        query.bind(1, *threadId);
    } else {
        query.bind(1);
    }
}

std::vector<StoredFile> readStoredFiles(Connection& connection,
                                        std::optional<std::int64_t> threadId) {
    auto query = connection.prepare(kStoredFiles);
    bindThreadFilter(*query, threadId);
    std::vector<StoredFile> files;
    while (query->executeStep()) {
        StoredFile file;
        file.info.thread = query->getColumn(0).getString();
        file.info.name = query->getColumn(1).getString();
        file.info.uploader = query->getColumn(2).getString();
        file.info.size = toCount(query->getColumn(3).getInt64());
        file.info.sha256 = query->getColumn(4).getString();
        file.info.created = query->getColumn(5).getInt64();
        file.blob = query->getColumn(6).getString();
        files.push_back(std::move(file));
    }
    return files;
}

bool blobReferenced(Connection& connection, const std::string& blob) {
    auto query = connection.prepare(kBlobReferenced);
    query->bind(1, blob);
    return query->executeStep();
}

std::vector<std::filesystem::path> directoryEntries(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> entries;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        entries.push_back(entry.path());
    }
    return entries;
}

std::uint64_t sizeOrZero(const std::filesystem::path& path) {
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    return error ? 0 : static_cast<std::uint64_t>(size);
}

void fsyncFile(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        throw std::system_error(errno, std::generic_category(), "open " + path.string());
    }
    if (::fsync(fd.get()) != 0) {
        throw std::system_error(errno, std::generic_category(), "fsync " + path.string());
    }
}

// Runs body(connection) in one read transaction: one snapshot from its first read to its
// end. There is nothing to commit; the destructor's rollback ends it.
template <typename Body>
auto readTransaction(ConnectionPool& pool, Body&& body) {
    auto connection = pool.acquire();
    SQLite::Transaction snapshot(connection->db(), SQLite::TransactionBehavior::DEFERRED);
    return body(*connection);
}

// Thrown inside backup() when a referenced blob vanished after the snapshot: start over.
struct BlobVanished {
    std::string blob;
};

// What backup() puts into its destination, removed again unless the backup completes, so
// a failed backup leaves the destination as it found it (absent, or empty).
class BackupDestination {
public:
    explicit BackupDestination(std::filesystem::path root) : root_(std::move(root)) {
        std::error_code error;
        const auto status = std::filesystem::status(root_, error);
        if (std::filesystem::exists(status)) {
            if (!std::filesystem::is_directory(status)) {
                throw AdminStoreError("backup destination " + root_.string() +
                                      " exists and is not a directory");
            }
            if (!std::filesystem::is_empty(root_)) {
                throw AdminStoreError("backup destination " + root_.string() +
                                      " is not empty; give a new or empty directory");
            }
        } else {
            std::filesystem::create_directories(root_);
            createdRoot_ = true;
        }
    }
    ~BackupDestination() {
        if (!kept_) {
            std::error_code ignored;
            clear();
            if (createdRoot_) {
                std::filesystem::remove(root_, ignored);
            }
        }
    }
    BackupDestination(const BackupDestination&) = delete;
    BackupDestination& operator=(const BackupDestination&) = delete;

    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path databaseFile() const { return root_ / "forum.db"; }
    std::filesystem::path filesDir() const { return root_ / "files"; }

    void prepare() {
        std::filesystem::create_directory(filesDir());
        std::filesystem::create_directory(root_ / "tmp");
    }
    // Removes everything this backup made inside root (it was empty before).
    void clear() noexcept {
        std::error_code ignored;
        for (const char* name : {"forum.db", "forum.db-wal", "forum.db-shm", "files", "tmp"}) {
            std::filesystem::remove_all(root_ / name, ignored);
        }
    }
    void keep() { kept_ = true; }

private:
    std::filesystem::path root_;
    bool createdRoot_ = false;
    bool kept_ = false;
};

class SqliteAdminStore final : public AdminStore {
public:
    explicit SqliteAdminStore(const AdminStoreOptions& options)
        : options_(options),
          databaseFile_(options.dataDir / "forum.db"),
          filesDir_(options.dataDir / "files"),
          tmpDir_(options.dataDir / "tmp"),
          hasher_(options.passwordCost, 1) {
        if (sodium_init() < 0) {
            throw StoreOpenError("libsodium failed to initialise");
        }
        // Never create a database: an operator pointing at the wrong directory should hear
        // so, not get an empty forum.
        if (!std::filesystem::exists(databaseFile_)) {
            throw StoreOpenError("no database at " + databaseFile_.string());
        }
        try {
            checkSchema();
            ConnectionSettings settings;
            settings.databaseFile = databaseFile_;
            settings.readOnly = options_.readOnly;
            // Moderation is rare and an operator expects it to stick: fsync every commit.
            settings.synchronousFull = true;
            settings.busyTimeoutMs = kBusyTimeoutMs;
            pool_ = std::make_unique<ConnectionPool>(std::move(settings));
            { auto connection = pool_->acquire(); }
        } catch (const StoreOpenError&) {
            throw;
        } catch (const std::exception& e) {
            throw StoreOpenError("cannot open the store in " + options_.dataDir.string() + ": " +
                                 e.what());
        }
    }

    ForumStats stats() override {
        requireCurrentSchema();
        ForumStats stats = readTransaction(*pool_, [&](Connection& connection) {
            ForumStats result;
            auto query = connection.prepare(kStats);
            query->executeStep();
            result.users = toCount(query->getColumn(0).getInt64());
            result.threads = toCount(query->getColumn(1).getInt64());
            result.messages = toCount(query->getColumn(2).getInt64());
            result.files = toCount(query->getColumn(3).getInt64());
            result.fileBytes = toCount(query->getColumn(4).getInt64());
            result.databaseBytes = toCount(query->getColumn(5).getInt64());
            if (!query->isColumnNull(6)) {
                result.lastActivity = query->getColumn(6).getInt64();
            }
            result.schemaVersion = readSchemaVersion(connection.db());
            return result;
        });
        stats.latestSchemaVersion = latestSchemaVersion();
        stats.walBytes = sizeOrZero(options_.dataDir / "forum.db-wal");
        return stats;
    }

    std::vector<UserSummary> listUsers() override {
        requireCurrentSchema();
        return readTransaction(*pool_, [&](Connection& connection) {
            std::vector<UserSummary> users;
            auto query = connection.prepare(kListUsers);
            while (query->executeStep()) {
                UserSummary user;
                user.name = query->getColumn(0).getString();
                user.created = query->getColumn(1).getInt64();
                user.threads = toCount(query->getColumn(2).getInt64());
                user.messages = toCount(query->getColumn(3).getInt64());
                user.files = toCount(query->getColumn(4).getInt64());
                users.push_back(std::move(user));
            }
            return users;
        });
    }

    std::vector<ThreadSummary> listThreads() override {
        requireCurrentSchema();
        return readTransaction(*pool_, [&](Connection& connection) {
            std::vector<ThreadSummary> threads;
            auto query = connection.prepare(kThreadSummaries);
            bindThreadFilter(*query, std::nullopt);
            while (query->executeStep()) {
                threads.push_back(readThreadSummary(*query));
            }
            return threads;
        });
    }

    StoreResult<ThreadDetails> showThread(std::string_view title) override {
        requireCurrentSchema();
        return readTransaction(*pool_, [&](Connection& connection) -> StoreResult<ThreadDetails> {
            const std::optional<ThreadRow> thread = findThread(connection, title);
            if (!thread) {
                return StoreError::ThreadNotFound;
            }
            ThreadDetails details;
            {
                auto query = connection.prepare(kThreadSummaries);
                bindThreadFilter(*query, thread->id);
                if (!query->executeStep()) {
                    throw std::logic_error("thread summary missing inside its snapshot");
                }
                details.summary = readThreadSummary(*query);
            }
            // The same query as RDT, so the operator sees what the users see.
            auto query = connection.prepare(kThreadEntriesSql);
            query->bind(1, thread->id);
            while (query->executeStep()) {
                ThreadEntry entry{};
                const bool upload = query->getColumn(1).getInt() == 1;
                entry.kind = upload ? ThreadEntry::Kind::Upload : ThreadEntry::Kind::Message;
                entry.number = query->getColumn(2).getInt64();
                entry.author = query->getColumn(3).getString();
                entry.text = query->getColumn(4).getString();
                entry.created = query->getColumn(5).getInt64();
                entry.edited = query->getColumn(6).getInt() != 0;
                details.entries.push_back(std::move(entry));
            }
            return details;
        });
    }

    StoreResult<std::vector<StoredFile>> listFiles(std::optional<std::string_view> title) override {
        requireCurrentSchema();
        return readTransaction(
            *pool_, [&](Connection& connection) -> StoreResult<std::vector<StoredFile>> {
                std::optional<std::int64_t> threadId;
                if (title) {
                    const std::optional<ThreadRow> thread = findThread(connection, *title);
                    if (!thread) {
                        return StoreError::ThreadNotFound;
                    }
                    threadId = thread->id;
                }
                return readStoredFiles(connection, threadId);
            });
    }

    CheckReport check() override {
        requireCurrentSchema();
        CheckReport report;
        std::vector<StoredFile> files;
        readTransaction(*pool_, [&](Connection& connection) {
            checkDatabase(connection, report);
            files = readStoredFiles(connection, std::nullopt);
        });

        std::set<std::string> referenced;
        std::vector<const StoredFile*> missing;
        for (const StoredFile& file : files) {
            referenced.insert(file.blob);
            checkBlob(file, report, missing);
        }
        std::vector<std::filesystem::path> orphans;
        if (!std::filesystem::is_directory(filesDir_)) {
            report.problems.push_back({CheckProblem::Kind::MissingDirectory, "files/",
                                       "directory " + filesDir_.string() + " is missing"});
        } else {
            for (const auto& path : directoryEntries(filesDir_)) {
                if (referenced.count(path.filename().string()) == 0) {
                    orphans.push_back(path);
                }
            }
        }

        // The server may have uploaded or removed files since the snapshot: a blob renamed
        // into files/ just before its row was committed, or a removal committed and unlinked
        // after the snapshot. Only what a newer snapshot still shows is a problem.
        readTransaction(*pool_, [&](Connection& connection) {
            for (const StoredFile* file : missing) {
                if (blobReferenced(connection, file->blob) &&
                    !std::filesystem::exists(filesDir_ / file->blob)) {
                    report.problems.push_back(
                        {CheckProblem::Kind::MissingBlob, fileSubject(*file),
                         "file " + fileSubject(*file) + " (" + std::to_string(file->info.size) +
                             " bytes): its blob files/" + file->blob + " is missing"});
                }
            }
            for (const auto& path : orphans) {
                const std::string name = path.filename().string();
                std::error_code error;
                if (!std::filesystem::exists(path, error) || blobReferenced(connection, name)) {
                    continue;
                }
                report.problems.push_back({CheckProblem::Kind::OrphanBlob, "files/" + name,
                                           "orphan blob files/" + name + " (" +
                                               std::to_string(sizeOrZero(path)) +
                                               " bytes): no file row references it"});
            }
        });

        if (!std::filesystem::is_directory(tmpDir_)) {
            report.problems.push_back({CheckProblem::Kind::MissingDirectory, "tmp/",
                                       "directory " + tmpDir_.string() + " is missing"});
        } else {
            for (const auto& path : directoryEntries(tmpDir_)) {
                const std::string name = path.filename().string();
                report.problems.push_back(
                    {CheckProblem::Kind::TempFile, "tmp/" + name,
                     "temp file tmp/" + name + " (" + std::to_string(sizeOrZero(path)) +
                         " bytes): an upload in progress, or left by a crash"});
            }
        }
        return report;
    }

    BackupReport backup(const BackupOptions& options) override {
        // The server deletes whatever it does not know in files/ and tmp/ when it starts.
        const auto target = std::filesystem::weakly_canonical(options.destination);
        for (const auto& owned : {filesDir_, tmpDir_}) {
            const auto dir = std::filesystem::weakly_canonical(owned);
            const auto [end, ignored] =
                std::mismatch(dir.begin(), dir.end(), target.begin(), target.end());
            if (end == dir.end()) {
                throw AdminStoreError("backup destination " + options.destination.string() +
                                      " is inside " + owned.string() +
                                      ", which the server empties of what it does not know");
            }
        }
        BackupDestination destination(options.destination);
        for (int attempt = 1;; ++attempt) {
            try {
                BackupReport report = backupOnce(destination, options.alwaysCopy);
                destination.keep();
                return report;
            } catch (const BlobVanished& vanished) {
                destination.clear();
                if (attempt == kBackupAttempts) {
                    throw std::runtime_error(
                        "blob files/" + vanished.blob + " vanished during the backup " +
                        std::to_string(kBackupAttempts) + " times in a row; nothing was kept");
                }
            }
        }
    }

    int schemaVersion() override {
        auto connection = pool_->acquire();
        return readSchemaVersion(connection->db());
    }

    std::vector<Migration> pendingMigrations() override {
        const auto all = embeddedMigrations();
        const auto version = static_cast<std::size_t>(schemaVersion());
        if (version >= all.size()) {
            return {};
        }
        return std::vector<Migration>(all.begin() + static_cast<std::ptrdiff_t>(version),
                                      all.end());
    }

    int applyPendingMigrations() override {
        requireWritable();
        // A running server built before these migrations would go on with the old schema
        // under its feet; as the owner's lock is held, it cannot start meanwhile either.
        UniqueFd lock = tryLockFile(options_.dataDir / "lock");
        if (!lock) {
            throw AdminStoreError("data directory " + options_.dataDir.string() +
                                  " is in use by a running dfp-server; stop it to migrate");
        }
        version_ = migrateDatabase(databaseFile_, embeddedMigrations());
        return version_;
    }

    StoreResult<RemovedThread> removeThreadAsModerator(std::string_view title) override {
        std::vector<std::string> blobs;
        StoreResult<RemovedThread> removed = inWriteTransaction<RemovedThread>(
            [&](Connection& connection) -> StoreResult<RemovedThread> {
                const std::optional<ThreadRow> thread = findThread(connection, title);
                if (!thread) {
                    return StoreError::ThreadNotFound;
                }
                std::int64_t entries = 0;
                {
                    auto count = connection.prepare(kCountEntries);
                    count->bind(1, thread->id);
                    count->executeStep();
                    entries = count->getColumn(0).getInt64();
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
                return RemovedThread{toCount(entries) - blobs.size(), blobs.size()};
            });
        if (removed) {
            unlinkBlobs(filesDir_, blobs);
        }
        return removed;
    }

    StoreStatus removeMessageAsModerator(std::string_view title, MessageNumber number) override {
        return inWriteTransaction<Done>([&](Connection& connection) -> StoreStatus {
            const std::optional<ThreadRow> thread = findThread(connection, title);
            if (!thread) {
                return StoreError::ThreadNotFound;
            }
            const std::optional<MessageRow> message = findMessage(connection, thread->id, number);
            if (!message) {
                return StoreError::MessageNotFound;
            }
            auto remove = connection.prepare(kDeleteMessage);
            remove->bind(1, message->id);
            remove->exec();
            return Done{};
        });
    }

    StoreStatus removeFileAsModerator(std::string_view title, std::string_view fileName) override {
        std::string blob;
        StoreStatus removed = inWriteTransaction<Done>([&](Connection& connection) -> StoreStatus {
            const std::optional<ThreadRow> thread = findThread(connection, title);
            if (!thread) {
                return StoreError::ThreadNotFound;
            }
            const std::optional<FileRow> file = findFile(connection, thread->id, title, fileName);
            if (!file) {
                return StoreError::FileNotFound;
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

    StoreResult<std::string> findUser(std::string_view name) override {
        requireCurrentSchema();
        return readTransaction(*pool_, [&](Connection& connection) -> StoreResult<std::string> {
            auto query = connection.prepare(kFindUser);
            bindText(*query, 1, name);
            if (!query->executeStep()) {
                return StoreError::UserNotFound;
            }
            return query->getColumn(1).getString();
        });
    }

    StoreResult<std::string> resetPassword(std::string_view user,
                                           std::string_view password) override {
        requireWritable();
        // Refuse an unknown name before paying for a hash; the write below decides anyway.
        const bool exists = readTransaction(*pool_, [&](Connection& connection) {
            return findUserId(connection, user).has_value();
        });
        if (!exists) {
            return StoreError::UserNotFound;
        }
        // Hashed outside the transaction, so the server's writers are not held up by it.
        const std::string hash = hasher_.hash(password);
        return inWriteTransaction<std::string>(
            [&](Connection& connection) -> StoreResult<std::string> {
                std::int64_t id = 0;
                std::string name;
                {
                    auto query = connection.prepare(kFindUser);
                    bindText(*query, 1, user);
                    if (!query->executeStep()) {
                        return StoreError::UserNotFound;
                    }
                    id = query->getColumn(0).getInt64();
                    name = query->getColumn(1).getString();
                }
                auto update = connection.prepare(kSetPasswordHash);
                update->bind(1, id);
                update->bind(2, hash);
                update->exec();
                return name;
            });
    }

private:
    void checkSchema() {
        // Read-only whatever the mode: a newer database must be left exactly as it is.
        SQLite::Database db(databaseFile_, SQLite::OPEN_READONLY, kBusyTimeoutMs);
        version_ = readSchemaVersion(db);
        const int latest = latestSchemaVersion();
        if (version_ > latest) {
            throw StoreOpenError("database schema version " + std::to_string(version_) +
                                 " is newer than this program supports (" + std::to_string(latest) +
                                 "); upgrade dfp");
        }
        if (options_.requireCurrentSchema && version_ < latest) {
            throw StoreOpenError("database schema version " + std::to_string(version_) +
                                 " is older than this program's (" + std::to_string(latest) +
                                 "): migrations are pending; apply them with migrate");
        }
    }

    void requireCurrentSchema() const {
        if (version_ < latestSchemaVersion()) {
            throw std::logic_error("the store was opened with migrations pending");
        }
    }

    void requireWritable() const {
        if (options_.readOnly) {
            throw std::logic_error("the admin store was opened read-only");
        }
    }

    // One IMMEDIATE transaction, committed if body succeeds. The server's writer is waited
    // for by the busy timeout; SQLITE_FULL becomes StorageFull, other errors propagate.
    template <typename T, typename Body>
    StoreResult<T> inWriteTransaction(Body&& body) {
        requireWritable();
        requireCurrentSchema();
        auto connection = pool_->acquire();
        try {
            SQLite::Transaction transaction(connection->db(),
                                            SQLite::TransactionBehavior::IMMEDIATE);
            StoreResult<T> result = body(*connection);
            if (result) {
                transaction.commit();
            }
            return result;
        } catch (const SQLite::Exception& e) {
            if (isDatabaseFull(e)) {
                return StoreError::StorageFull;
            }
            throw;
        }
    }

    void checkDatabase(Connection& connection, CheckReport& report) {
        // PRAGMAs take no parameters and are not cached: each runs once per check.
        SQLite::Statement integrity(connection.db(), "PRAGMA integrity_check");
        while (integrity.executeStep()) {
            const std::string line = integrity.getColumn(0).getString();
            if (line != "ok") {
                report.problems.push_back(
                    {CheckProblem::Kind::Integrity, "database", "database integrity: " + line});
            }
        }
        SQLite::Statement foreignKeys(connection.db(), "PRAGMA foreign_key_check");
        while (foreignKeys.executeStep()) {
            const std::string table = foreignKeys.getColumn(0).getString();
            const std::string rowid = foreignKeys.isColumnNull(1)
                                          ? std::string("?")
                                          : std::to_string(foreignKeys.getColumn(1).getInt64());
            const std::string parent = foreignKeys.getColumn(2).getString();
            report.problems.push_back({CheckProblem::Kind::ForeignKey, table + "/" + rowid,
                                       "database foreign key: row " + rowid + " of " + table +
                                           " refers to a row of " + parent +
                                           " that does not exist"});
        }
    }

    void checkBlob(const StoredFile& file, CheckReport& report,
                   std::vector<const StoredFile*>& missing) {
        const std::filesystem::path path = filesDir_ / file.blob;
        const std::string subject = fileSubject(file);
        FileDigest digest;
        try {
            digest = hashFile(path);
        } catch (const std::system_error& e) {
            if (isNotFound(e)) {
                missing.push_back(&file);
            } else {
                report.problems.push_back({CheckProblem::Kind::UnreadableBlob, subject,
                                           "file " + subject + ": its blob files/" + file.blob +
                                               " cannot be read: " + e.what()});
            }
            return;
        }
        ++report.filesChecked;
        report.bytesChecked += digest.size;
        if (digest.size != file.info.size) {
            report.problems.push_back({CheckProblem::Kind::BlobSize, subject,
                                       "file " + subject + ": its blob files/" + file.blob +
                                           " has " + std::to_string(digest.size) +
                                           " bytes, its row says " +
                                           std::to_string(file.info.size)});
        } else if (digest.sha256 != file.info.sha256) {
            report.problems.push_back({CheckProblem::Kind::BlobChecksum, subject,
                                       "file " + subject + ": its blob files/" + file.blob +
                                           " has sha256 " + digest.sha256 + ", its row says " +
                                           file.info.sha256});
        }
    }

    BackupReport backupOnce(BackupDestination& destination, bool alwaysCopy) {
        destination.prepare();
        // Pass 1, before the snapshot: every blob there is now. A row in the snapshot was
        // committed after its blob was renamed into files/, so its blob is taken here unless
        // it arrived between this listing and the snapshot (pass 2 takes those). The server
        // unlinks a blob only after the commit that drops its row, so no blob of the snapshot
        // can have gone before this pass; one arriving late can, which makes the backup
        // start over (BlobVanished).
        std::map<std::string, BlobPlacement> placed;
        std::error_code noDirectory;
        const bool haveFiles = std::filesystem::is_directory(filesDir_, noDirectory);
        for (const auto& path :
             haveFiles ? directoryEntries(filesDir_) : std::vector<std::filesystem::path>{}) {
            std::error_code error;
            if (!std::filesystem::is_regular_file(path, error)) {
                continue;
            }
            const std::string name = path.filename().string();
            try {
                placed[name] = placeBlob(path, destination.filesDir() / name, alwaysCopy);
            } catch (const std::system_error& e) {
                if (!isNotFound(e)) {
                    throw;
                }
            }
        }

        BackupReport report;
        std::map<std::string, std::uint64_t> referenced;
        {
            SQLite::Database target(destination.databaseFile(),
                                    SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
            {
                auto source = pool_->acquire();
                // The backup reads inside this read transaction, so it copies exactly one
                // snapshot, whatever the server commits meanwhile (WAL: the server's writer
                // is not blocked by it, nor is the copy restarted by the server's writes).
                SQLite::Transaction snapshot(source->db(), SQLite::TransactionBehavior::DEFERRED);
                report.schemaVersion = readSchemaVersion(source->db());
                SQLite::Backup copy(target, source->db());
                const int rc = copy.executeStep(-1);
                if (rc != SQLITE_DONE) {
                    throw std::runtime_error("database backup did not complete (SQLite code " +
                                             std::to_string(rc) + ")");
                }
            }
            // The server works in WAL mode; the copy starts out in it, checkpointed.
            target.exec("PRAGMA journal_mode = WAL");
            // A database with migrations pending may predate the files table.
            if (target.tableExists("files")) {
                SQLite::Statement blobs(target, kBackedUpBlobs);
                while (blobs.executeStep()) {
                    referenced[blobs.getColumn(0).getString()] =
                        toCount(blobs.getColumn(1).getInt64());
                }
            }
            target.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        // Pass 2: the blobs of the snapshot that pass 1 did not see.
        for (const auto& [blob, size] : referenced) {
            if (placed.count(blob) == 0) {
                try {
                    placed[blob] =
                        placeBlob(filesDir_ / blob, destination.filesDir() / blob, alwaysCopy);
                } catch (const std::system_error& e) {
                    if (isNotFound(e)) {
                        throw BlobVanished{blob};
                    }
                    throw;
                }
            }
            ++report.files;
            report.fileBytes += size;
            if (placed[blob] == BlobPlacement::Linked) {
                ++report.linked;
            } else {
                ++report.copied;
            }
        }
        // Pass 1 also took blobs the snapshot does not name (uploads in flight, orphans).
        for (const auto& [blob, placement] : placed) {
            if (referenced.count(blob) == 0) {
                (void)unlinkQuietly(destination.filesDir() / blob);
            }
        }

        fsyncFile(destination.databaseFile());
        fsyncDirectory(destination.filesDir());
        fsyncDirectory(destination.root());
        if (destination.root().has_parent_path()) {
            fsyncDirectory(std::filesystem::absolute(destination.root()).parent_path());
        }
        report.databaseBytes = sizeOrZero(destination.databaseFile());
        return report;
    }

    const AdminStoreOptions options_;
    const std::filesystem::path databaseFile_;
    const std::filesystem::path filesDir_;
    const std::filesystem::path tmpDir_;
    std::atomic<int> version_{0};  // found at open; raised by applyPendingMigrations
    PasswordHasher hasher_;
    std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace

std::string_view describe(CheckProblem::Kind kind) {
    switch (kind) {
        case CheckProblem::Kind::Integrity:
            return "integrity";
        case CheckProblem::Kind::ForeignKey:
            return "foreign-key";
        case CheckProblem::Kind::MissingBlob:
            return "missing-blob";
        case CheckProblem::Kind::BlobSize:
            return "blob-size";
        case CheckProblem::Kind::BlobChecksum:
            return "blob-checksum";
        case CheckProblem::Kind::UnreadableBlob:
            return "unreadable-blob";
        case CheckProblem::Kind::OrphanBlob:
            return "orphan-blob";
        case CheckProblem::Kind::TempFile:
            return "temp-file";
        case CheckProblem::Kind::MissingDirectory:
            return "missing-directory";
    }
    return "unknown";
}

std::unique_ptr<AdminStore> openAdminStore(const AdminStoreOptions& options) {
    return std::make_unique<SqliteAdminStore>(options);
}

}  // namespace dfp::storage
