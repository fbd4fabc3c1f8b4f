#pragma once

// The mark of the last commit visible in a WAL-mode SQLite database, whoever made it (internal
// to src/storage): the WAL-index header that SQLite keeps at the start of the database's
// "-shm" file, and that every SQLite connection compares to tell whether another has committed
// since its last read. Every commit writes a new header there (at least the frame count and
// checksums change) before it is visible to any reader, so two equal marks read at two times
// mean that no commit became visible in between. Reading it costs one pread, where asking a
// thread's version costs a read transaction (two fcntl locks on the same file).
//
// The layout is the unix VFS's, as https://www.sqlite.org/walformat.html describes it: two
// copies of a 48-byte header at offset 0 and 48, the second written first, with the version
// 3007000 at the start of each. A mark is read only when both copies agree and are
// initialized with that version; anything else (a header being written, another layout, a
// file too short) is "cannot tell", and the caller checks the database instead.
//
// Sound only while this process holds a connection to the database open: SQLite then keeps
// the -shm file as it is (it truncates or removes it only when the last connection goes).
// Thread-safety: read() may be called from any number of threads.

#include <filesystem>
#include <optional>

#include "storage/forum_store.h"
#include "storage/posix_file.h"

namespace dfp::storage {

class WalIndexMark {
public:
    // Opens databaseFile's -shm file for reading; nullopt if there is none to open.
    static std::optional<WalIndexMark> open(const std::filesystem::path& databaseFile);

    std::optional<CommitMark> read() const;

private:
    explicit WalIndexMark(UniqueFd fd) : fd_(std::move(fd)) {}

    UniqueFd fd_;
};

}  // namespace dfp::storage
