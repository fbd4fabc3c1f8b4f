#pragma once

// ForumStore: every user, thread, message and file record of the forum. Implemented over
// SQLite (sqlite_forum_store.cpp); nothing outside src/storage sees SQL or SQLiteCpp.
//
// Thread-safety: every method may be called from any number of threads at once. Each public
// method is one transaction: it commits entirely or changes nothing. Readers run concurrently
// with one writer. Authorisation (author, creator, uploader) is checked here, inside the
// transaction that makes the change.

#include <array>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store_result.h"

namespace dfp::storage {

using MessageNumber = std::int64_t;
using UnixTime = std::int64_t;  // seconds since the epoch, UTC

enum class PasswordCost {
    Interactive,  // libsodium's INTERACTIVE limits: ~50 ms and 64 MiB per hash (the default)
    Moderate,     // MODERATE limits: slower and 256 MiB; for operators who want it
    Minimum,      // the smallest limits libsodium allows; for tests only
};

enum class Durability {
    Normal,  // WAL + synchronous=NORMAL: survives a crash of the process; a power loss may
             // lose the last commits but never corrupts (docs/storage.md)
    Full,    // WAL + synchronous=FULL: every commit fsynced before it is acknowledged
};

struct StoreOptions {
    std::filesystem::path dataDir;
    PasswordCost passwordCost = PasswordCost::Interactive;
    Durability durability = Durability::Normal;
    std::uint64_t maxFileSize = 1ULL << 30;
    // How many password hashes may run at once (each costs the memory of its PasswordCost);
    // 0 = half the hardware threads, at least one.
    unsigned maxConcurrentHashes = 0;
    // The owner (the server) locks the data directory against a second owner and, on open,
    // removes crash leftovers: temp files and blobs that no row references. Tools that open
    // a live server's data (dfp-admin) pass false and touch no files.
    bool owner = true;
    bool readOnly = false;  // open the database read-only (implies owner = false)
};

struct ThreadInfo {
    std::string title;
    std::string creator;
    UnixTime created = 0;
};

// One state of a read view: of one thread's RDT (id is the thread's), or of the LST list (id
// 0). Every change that the view shows bumps its version in the change's own transaction,
// whoever makes it (migrations 0004 and 0005), and thread ids are never reused: two equal
// stamps mean the same view, byte for byte.
struct ViewVersion {
    std::int64_t id = 0;
    std::int64_t version = 0;
    bool operator==(const ViewVersion&) const = default;
};

// The last commit visible in the store, by any process, as an opaque mark: two equal marks
// read at two times mean that nothing was committed to the store in between, so whatever was
// checked after the first still holds at the second. Only compared, never interpreted.
struct CommitMark {
    std::array<unsigned char, 48> bytes{};
    bool operator==(const CommitMark&) const = default;
};

// One line of the RDT view, in posting order.
struct ThreadEntry {
    enum class Kind { Message, Upload };
    Kind kind;
    MessageNumber number = 0;  // Message only
    std::string author;        // the poster or the uploader, as first registered
    std::string text;          // Message: its text; Upload: the file name
    UnixTime created = 0;
    bool edited = false;
};

struct FileInfo {
    std::string thread;
    std::string name;
    std::string uploader;
    std::uint64_t size = 0;
    std::string sha256;  // lower-case hex
    UnixTime created = 0;
};

// An upload in progress: bytes go to a temp file inside the data directory. Destroying it
// without a successful commit() removes the temp file; nothing is visible before commit().
// Not thread-safe: owned by the session that started it.
class Upload {
public:
    virtual ~Upload() = default;
    Upload(const Upload&) = delete;
    Upload& operator=(const Upload&) = delete;

    // StorageFull when the disk is full; the upload is then dead and commit() fails too.
    virtual StoreStatus write(std::string_view bytes) = 0;
    virtual std::uint64_t bytesWritten() const = 0;

    // Checks size (SizeMismatch) and, if given, the lower-case sha256 (ChecksumMismatch);
    // fsyncs, renames the blob into files/ and inserts the row in one transaction. The
    // thread may have been removed (ThreadNotFound) or the name taken (AlreadyExists) while
    // the bytes were in flight; then nothing is stored.
    virtual StoreResult<FileInfo> commit(const std::optional<std::string>& expectedSha256) = 0;

protected:
    Upload() = default;
};

// An open stored file for DWN. The bytes stay readable even if the file is removed meanwhile.
class FileReader {
public:
    virtual ~FileReader() = default;
    FileReader(const FileReader&) = delete;
    FileReader& operator=(const FileReader&) = delete;

    virtual const FileInfo& info() const = 0;
    // Up to size bytes into buffer; how many, 0 at the end. Throws on an I/O error.
    virtual std::size_t readInto(char* buffer, std::size_t size) = 0;
    // A descriptor open on the same bytes at the same position, for sending them without
    // copying them through the process (sendfile); -1 if there is none. Reading through it
    // moves readInto's position too.
    virtual int descriptor() const { return -1; }
    // Up to max bytes; an empty string at the end. Throws on an I/O error.
    std::string read(std::size_t max) {
        std::string bytes(max, '\0');
        bytes.resize(readInto(bytes.data(), max));
        return bytes;
    }

protected:
    FileReader() = default;
};

// Hands the outcome of produce() to done, as a write queued without waiting reports it: the
// result, or a null result and the exception produce() threw. What done throws goes on up.
template <typename T, typename Produce, typename Done>
void handOver(Produce&& produce, Done&& done) {
    std::optional<StoreResult<T>> result;
    std::exception_ptr error;
    try {
        result.emplace(produce());
    } catch (...) {
        error = std::current_exception();
    }
    done(result ? &*result : nullptr, error);
}

class ForumStore {
public:
    virtual ~ForumStore() = default;

    // --- users (names are unique without regard to case, shown as first registered)
    // The name as stored, or UserNotFound.
    virtual StoreResult<std::string> findUser(std::string_view name) = 0;
    // Creates the account (password hashed with argon2id); AlreadyExists in any case.
    virtual StoreResult<std::string> createUser(std::string_view name,
                                                std::string_view password) = 0;
    // The name as stored, or UserNotFound / WrongPassword.
    virtual StoreResult<std::string> verifyUser(std::string_view name,
                                                std::string_view password) = 0;

    // --- threads
    // CRT, with the new thread's stamp (the RDT view of an empty thread) if the store can
    // tell it.
    virtual StoreResult<std::optional<ViewVersion>> createThreadStamped(
        std::string_view title, std::string_view creator) = 0;
    // CRT, when the stamp does not matter.
    StoreStatus createThread(std::string_view title, std::string_view creator) {
        if (auto made = createThreadStamped(title, creator); !made) {
            return made.error();
        }
        return Done{};
    }
    // LST, from one consistent snapshot: begin is called first with the number of threads,
    // then visit once per thread, oldest first, row by row (memory does not grow with the
    // number of threads). Neither may call back into the store.
    virtual void listThreads(const std::function<void(std::uint64_t count)>& begin,
                             const std::function<void(const ThreadInfo&)>& visit) = 0;
    // The current stamp of the LST view (one lookup): it changes whenever a thread is created
    // or removed.
    virtual ViewVersion threadListVersion() = 0;
    // Creator only (NotCreator); its messages and files go with it (blobs unlinked after commit).
    virtual StoreStatus removeThread(std::string_view title, std::string_view requester) = 0;

    // --- messages (numbers per thread start at 1 and are never reused)
    // MSG's outcome with the stamp of its thread right after it: the stamp before, plus this
    // message and nothing else (so a view kept at version - 1 is this one without it).
    struct PostedMessage {
        MessageNumber number = 0;
        std::optional<ViewVersion> thread;  // nullopt if the store cannot tell
    };
    virtual StoreResult<PostedMessage> postMessageStamped(std::string_view title,
                                                          std::string_view author,
                                                          std::string_view text) = 0;
    // MSG without waiting for it: `done` gets what postMessageStamped would have returned, or
    // (with a null result) the exception it would have thrown, exactly once, after the
    // COMMIT. It runs on whichever thread finishes the write: the store's writer thread for
    // the SQLite store (so it must be quick and must not throw or call the store), the
    // caller's own, before this returns, for a store that writes synchronously. Whatever it
    // refers to must outlive that call; the strings are the store's until then.
    using PostedCallback =
        std::function<void(const StoreResult<PostedMessage>* posted, std::exception_ptr error)>;
    virtual void postMessageLater(std::string title, std::string author, std::string text,
                                  PostedCallback done) {
        handOver<PostedMessage>([&] { return postMessageStamped(title, author, text); }, done);
    }
    // MSG, when only the number matters.
    StoreResult<MessageNumber> postMessage(std::string_view title, std::string_view author,
                                           std::string_view text) {
        StoreResult<PostedMessage> posted = postMessageStamped(title, author, text);
        if (!posted) {
            return posted.error();
        }
        return posted->number;
    }
    virtual StoreStatus editMessage(std::string_view title, MessageNumber number,
                                    std::string_view author, std::string_view text) = 0;
    virtual StoreStatus deleteMessage(std::string_view title, MessageNumber number,
                                      std::string_view author) = 0;

    // --- the thread view (RDT): one consistent snapshot. begin is called first with the
    // number of entries, then visit once per entry in posting order, without loading the
    // whole thread into memory. Neither may call back into the store. ThreadNotFound if none.
    virtual StoreStatus readThread(std::string_view title,
                                   const std::function<void(std::uint64_t count)>& begin,
                                   const std::function<void(const ThreadEntry&)>& visit) = 0;

    // The current stamp of a thread's view (one indexed lookup), or ThreadNotFound: lets a
    // reader keep a view and know when it is stale without reading it again.
    virtual StoreResult<ViewVersion> threadVersion(std::string_view title) = 0;
    // The mark of the last commit (CommitMark), without a transaction; nullopt when the store
    // cannot tell, and then a caller checks versions every time.
    virtual std::optional<CommitMark> commitMark() { return std::nullopt; }

    // --- files
    // Checks the thread exists, the name is free in it and size <= maxFileSize before any
    // byte is accepted (ThreadNotFound, AlreadyExists, TooLarge).
    virtual StoreResult<std::unique_ptr<Upload>> beginUpload(std::string_view title,
                                                             std::string_view fileName,
                                                             std::string_view uploader,
                                                             std::uint64_t size) = 0;
    virtual StoreResult<std::unique_ptr<FileReader>> openFile(std::string_view title,
                                                              std::string_view fileName) = 0;
    // Uploads of a thread in posting order (ThreadNotFound if none).
    virtual StoreResult<std::vector<FileInfo>> listFiles(std::string_view title) = 0;
    // The uploader or the thread's creator (NotAllowed otherwise); unlinks after commit.
    virtual StoreStatus removeFile(std::string_view title, std::string_view fileName,
                                   std::string_view requester) = 0;

    // Writes the WAL back into the database file; called at a clean shutdown.
    virtual void checkpoint() = 0;

    // The schema version of the open database.
    virtual int schemaVersion() = 0;
};

// Thrown by openForumStore when the store cannot be opened: a database newer than this
// program (left untouched), a data directory locked by another server, an unreadable file.
// what() is one line fit for an operator.
class StoreOpenError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Opens or creates <dataDir>/forum.db (and files/, tmp/), applies pending migrations.
std::unique_ptr<ForumStore> openForumStore(const StoreOptions& options);

}  // namespace dfp::storage
