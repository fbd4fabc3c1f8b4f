#include "storage/posix_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include <sodium.h>

namespace dfp::storage {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.release();
    }
    return *this;
}

int UniqueFd::close() {
    if (fd_ < 0) {
        return 0;
    }
    // Linux releases the descriptor even when close() fails (EINTR included), so it must not
    // be retried: a retry could close a descriptor another thread has just been given.
    const int result = ::close(fd_);
    fd_ = -1;
    return result == 0 ? 0 : errno;
}

bool isDiskFull(int error) {
    return error == ENOSPC || error == EDQUOT;
}

std::string randomHex(std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    randombytes_buf(raw.data(), raw.size());
    std::string hex(bytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
    hex.pop_back();
    return hex;
}

void fsyncDirectory(const std::filesystem::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        throw std::system_error(errno, std::generic_category(), "open " + dir.string());
    }
    if (::fsync(fd.get()) != 0) {
        throw std::system_error(errno, std::generic_category(), "fsync " + dir.string());
    }
}

int unlinkQuietly(const std::filesystem::path& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return errno;
    }
    return 0;
}

UniqueFd tryLockFile(const std::filesystem::path& lockFile) {
    UniqueFd fd(::open(lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) {
        throw std::system_error(errno, std::generic_category(), "open " + lockFile.string());
    }
    // flock belongs to the open file description: it goes when the process dies (SIGKILL
    // included), so a crashed owner never leaves a stale lock behind.
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) {
            continue;
        }
        if (errno == EWOULDBLOCK) {
            return UniqueFd();
        }
        throw std::system_error(errno, std::generic_category(), "flock " + lockFile.string());
    }
    return fd;
}

}  // namespace dfp::storage
