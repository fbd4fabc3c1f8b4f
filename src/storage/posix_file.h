#pragma once

// The few POSIX file operations behind upload temp files and blobs (internal to src/storage),
// with their error handling in one place.

#include <cstddef>
#include <filesystem>
#include <string>

namespace dfp::storage {

// Owns a file descriptor; closes it when it goes.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    // Closes now; returns close()'s errno (0 on success), which matters after writes.
    int close();
    void reset() { (void)close(); }

private:
    int fd_ = -1;
};

// ENOSPC and EDQUOT: the disk (or the user's quota) is full, an expected outcome.
bool isDiskFull(int error);

// Random lower-case hex from libsodium's CSPRNG, 2 * bytes characters.
std::string randomHex(std::size_t bytes);

// fsync on the directory itself, so that a rename or create inside it is durable.
// Throws std::system_error.
void fsyncDirectory(const std::filesystem::path& dir);

// Unlinks path; a missing file is not an error (the goal is that it is gone). Returns errno
// for any other failure, 0 otherwise; never throws, for use after a commit.
int unlinkQuietly(const std::filesystem::path& path);

// Opens (creating, mode 0600) lockFile and takes a non-blocking exclusive flock on it: the
// lock of a data directory's owner. Returns the descriptor that holds the lock, or an empty
// UniqueFd if another process holds it. Throws std::system_error on any other failure.
UniqueFd tryLockFile(const std::filesystem::path& lockFile);

}  // namespace dfp::storage
