#include "storage/blob_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>
#include <vector>

#include "storage/posix_file.h"
#include "storage/sha256.h"

namespace dfp::storage {
namespace {

constexpr std::size_t kChunk = 256 * 1024;

[[noreturn]] void throwErrno(int error, const std::string& what) {
    throw std::system_error(error, std::generic_category(), what);
}

UniqueFd openForReading(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        throwErrno(errno, "open " + path.string());
    }
    return fd;
}

// Some bytes (fewer than max only at the end of the file), retrying EINTR; 0 at the end.
std::size_t readSome(int fd, unsigned char* buffer, std::size_t max,
                     const std::filesystem::path& path) {
    for (;;) {
        const ssize_t n = ::read(fd, buffer, max);
        if (n >= 0) {
            return static_cast<std::size_t>(n);
        }
        if (errno != EINTR) {
            throwErrno(errno, "read " + path.string());
        }
    }
}

void writeAll(int fd, const unsigned char* data, std::size_t size,
              const std::filesystem::path& path) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwErrno(errno, "write " + path.string());
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

void copyFile(const std::filesystem::path& from, const std::filesystem::path& to) {
    UniqueFd in = openForReading(from);
    UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) {
        throwErrno(errno, "create " + to.string());
    }
    try {
        std::vector<unsigned char> buffer(kChunk);
        for (;;) {
            const std::size_t got = readSome(in.get(), buffer.data(), buffer.size(), from);
            if (got == 0) {
                break;
            }
            writeAll(out.get(), buffer.data(), got, to);
        }
        // A backup that claims a blob must hold its bytes after a power loss too.
        if (::fsync(out.get()) != 0) {
            throwErrno(errno, "fsync " + to.string());
        }
        if (const int error = out.close(); error != 0) {
            throwErrno(error, "close " + to.string());
        }
    } catch (...) {
        out.reset();
        (void)unlinkQuietly(to);
        throw;
    }
}

}  // namespace

FileDigest hashFile(const std::filesystem::path& path) {
    UniqueFd fd = openForReading(path);
    Sha256 sha;
    FileDigest digest;
    std::vector<unsigned char> buffer(kChunk);
    for (;;) {
        const std::size_t got = readSome(fd.get(), buffer.data(), buffer.size(), path);
        if (got == 0) {
            break;
        }
        sha.update(buffer.data(), got);
        digest.size += got;
    }
    digest.sha256 = sha.finishHex();
    return digest;
}

BlobPlacement placeBlob(const std::filesystem::path& from, const std::filesystem::path& to,
                        bool alwaysCopy) {
    if (!alwaysCopy) {
        if (::link(from.c_str(), to.c_str()) == 0) {
            return BlobPlacement::Linked;
        }
        const int error = errno;
        // Another file system, or one that does not do hard links: copy instead.
        if (error != EXDEV && error != EPERM && error != EMLINK && error != ENOTSUP) {
            throwErrno(error, "link " + from.string() + " to " + to.string());
        }
    }
    copyFile(from, to);
    return BlobPlacement::Copied;
}

}  // namespace dfp::storage
