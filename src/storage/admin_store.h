#pragma once

// AdminStore: what the operator's tool (dfp-admin) needs of a data directory, beside the
// ForumStore the server uses: summaries with counts, a health check, an online backup,
// migrations, and moderation that acts as no user. Implemented over the same SQLite
// database and blob directory (sqlite_admin_store.cpp); nothing outside src/storage sees SQL.
//
// It opens a data directory that a running dfp-server may own, and never gets in its way:
// it takes no lock on the data directory (except to migrate) and never removes a file it
// did not create, except the blobs of what a moderator removes. Opened read-only, it opens
// SQLite read-only: in WAL mode its reads neither block the server nor are blocked by it.
// Opened read-write, each write is one IMMEDIATE transaction that waits for the server's
// writer (busy timeout) and commits before any blob is unlinked, as the server's own
// removals do (docs/storage.md).
//
// Thread-safety: every method may be called from any thread; each call leases its own
// connection. Errors: expected outcomes (no such thread, message, file or user) are
// StoreError values; refusals the operator can act on throw AdminStoreError; the unexpected
// (I/O error, corruption) throws other std::exception subclasses.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "storage/forum_store.h"
#include "storage/migrations.h"
#include "storage/store_result.h"

namespace dfp::storage {

struct AdminStoreOptions {
    std::filesystem::path dataDir;
    bool readOnly = true;
    // Everything but backup() and the migration methods needs the schema this program
    // knows; with true, opening a database with migrations pending is refused.
    bool requireCurrentSchema = true;
    PasswordCost passwordCost = PasswordCost::Interactive;  // for resetPassword
};

struct ForumStats {
    std::uint64_t users = 0;
    std::uint64_t threads = 0;
    std::uint64_t messages = 0;
    std::uint64_t files = 0;
    std::uint64_t fileBytes = 0;      // the sizes of the stored files, as their rows say
    std::uint64_t databaseBytes = 0;  // page count * page size of the snapshot read
    std::uint64_t walBytes = 0;       // forum.db-wal on disk now (0 if there is none)
    int schemaVersion = 0;
    int latestSchemaVersion = 0;
    // The latest time recorded anywhere: an account, thread, message or upload created or a
    // message edited. Deletions leave no time behind. Empty for an empty forum.
    std::optional<UnixTime> lastActivity;
};

struct UserSummary {
    std::string name;
    UnixTime created = 0;
    std::uint64_t threads = 0;  // threads this user created that still exist
    std::uint64_t messages = 0;
    std::uint64_t files = 0;
};

struct ThreadSummary {
    std::string title;
    std::string creator;
    UnixTime created = 0;
    std::uint64_t messages = 0;
    std::uint64_t files = 0;
    std::uint64_t fileBytes = 0;
    UnixTime lastActivity = 0;  // the latest of its creation, posts, edits and uploads
};

struct ThreadDetails {
    ThreadSummary summary;
    std::vector<ThreadEntry> entries;  // in posting order, as RDT shows them
};

struct StoredFile {
    FileInfo info;
    std::string blob;  // the name of its bytes in <dataDir>/files/
};

struct CheckProblem {
    enum class Kind {
        Integrity,         // PRAGMA integrity_check found something
        ForeignKey,        // a row refers to a row that does not exist
        MissingBlob,       // a file row whose blob is not in files/
        BlobSize,          // the blob has a size other than its row's
        BlobChecksum,      // the blob's sha256 differs from its row's
        UnreadableBlob,    // the blob exists but cannot be read
        OrphanBlob,        // an entry of files/ that no row names
        TempFile,          // an entry of tmp/: an upload in progress, or a crash leftover
        MissingDirectory,  // files/ or tmp/ does not exist
    };
    Kind kind;
    std::string subject;  // what it is about: "thread/file", "files/<blob>", "database"
    std::string message;  // one line for an operator, naming the subject
};

// A short lower-case name for a kind, e.g. "missing-blob" (used in --json output).
std::string_view describe(CheckProblem::Kind kind);

struct CheckReport {
    std::vector<CheckProblem> problems;  // empty when the data directory is healthy
    std::uint64_t filesChecked = 0;
    std::uint64_t bytesChecked = 0;
};

struct BackupOptions {
    // Must not exist, or be an empty directory; created with its parents.
    std::filesystem::path destination;
    bool alwaysCopy = false;  // copy blobs even where a hard link would do
};

struct BackupReport {
    int schemaVersion = 0;
    std::uint64_t databaseBytes = 0;
    std::uint64_t files = 0;      // blobs the backed-up database references
    std::uint64_t fileBytes = 0;  // their sizes, as their rows say
    std::uint64_t linked = 0;     // of them, hard-linked
    std::uint64_t copied = 0;     // of them, copied
};

struct RemovedThread {
    std::uint64_t messages = 0;
    std::uint64_t files = 0;
};

// A refusal the operator can act on, e.g. a backup destination that is not empty or a
// migration while a server holds the data directory. what() is one line.
class AdminStoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class AdminStore {
public:
    virtual ~AdminStore() = default;

    // --- reading; each call reads one consistent snapshot
    virtual ForumStats stats() = 0;
    virtual std::vector<UserSummary> listUsers() = 0;      // oldest account first
    virtual std::vector<ThreadSummary> listThreads() = 0;  // oldest thread first
    // The thread with every message and upload (held in memory: for an operator's eyes).
    virtual StoreResult<ThreadDetails> showThread(std::string_view title) = 0;
    // The files of one thread (ThreadNotFound if none), or of every thread, in thread then
    // posting order.
    virtual StoreResult<std::vector<StoredFile>> listFiles(
        std::optional<std::string_view> title) = 0;

    // integrity_check and foreign_key_check; every file row has its blob with the size and
    // sha256 of its row; every entry of files/ has a row and tmp/ is empty. Reports only:
    // removes and repairs nothing. A blob that looks orphaned or missing only because the
    // server uploaded or removed it during the check is looked up again before it is
    // reported, so a healthy live server gives a clean report (an upload in progress still
    // shows as a temp file).
    virtual CheckReport check() = 0;

    // A consistent copy of the database (SQLite's online backup API, from one read
    // snapshot, while the server goes on writing) and of every blob it references, into
    // options.destination, fsynced, so that a server started on it serves it. Throws
    // AdminStoreError if the destination is not empty; on any failure removes what it made.
    virtual BackupReport backup(const BackupOptions& options) = 0;

    // --- schema
    virtual int schemaVersion() = 0;
    // Migrations newer than the database, in the order they would be applied.
    virtual std::vector<Migration> pendingMigrations() = 0;
    // Applies them (each in its own transaction); returns the version reached. Holds the
    // data directory's owner lock meanwhile, so throws AdminStoreError if a server runs on
    // it. Requires readOnly = false.
    virtual int applyPendingMigrations() = 0;

    // --- moderation: as no user, so nobody's authorship is checked. Each is one IMMEDIATE
    // transaction; blobs are unlinked after its commit. Require readOnly = false.
    virtual StoreResult<RemovedThread> removeThreadAsModerator(std::string_view title) = 0;
    virtual StoreStatus removeMessageAsModerator(std::string_view title, MessageNumber number) = 0;
    virtual StoreStatus removeFileAsModerator(std::string_view title,
                                              std::string_view fileName) = 0;
    // The name as stored (names are unique without regard to case), or UserNotFound.
    virtual StoreResult<std::string> findUser(std::string_view name) = 0;
    // Hashes the new password (at options.passwordCost, outside the transaction) and stores
    // it; returns the name as stored, or UserNotFound. Sessions already logged in stay so.
    virtual StoreResult<std::string> resetPassword(std::string_view user,
                                                   std::string_view password) = 0;
};

// Opens <dataDir>/forum.db without creating anything: StoreOpenError if there is no
// database, if it is newer than this program, or (requireCurrentSchema) if migrations are
// pending, with a message naming the fix.
std::unique_ptr<AdminStore> openAdminStore(const AdminStoreOptions& options);

}  // namespace dfp::storage
