#include "client/posix_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace dfp::client {

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

void FileDescriptor::close() {
    if (fd_ < 0) {
        return;
    }
    const int fd = std::exchange(fd_, -1);
    // Linux releases the descriptor even when close() fails, so it is never retried.
    if (::close(fd) != 0 && errno != EINTR) {
        throwErrno("close");
    }
}

void throwErrno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

FileDescriptor openForReading(const std::string& path) {
    // O_NONBLOCK so that a FIFO named by mistake fails the check below instead of hanging.
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!file.valid()) {
        throwErrno(path);
    }
    struct stat info {};
    if (::fstat(file.get(), &info) != 0) {
        throwErrno(path);
    }
    if (!S_ISREG(info.st_mode)) {
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                path + ": not a regular file");
    }
    const int flags = ::fcntl(file.get(), F_GETFL);
    if (flags < 0 || ::fcntl(file.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
        throwErrno(path);
    }
    return file;
}

std::size_t readSome(int fd, char* buffer, std::size_t size) {
    for (;;) {
        const ssize_t count = ::read(fd, buffer, size);
        if (count >= 0) {
            return static_cast<std::size_t>(count);
        }
        if (errno != EINTR) {
            throwErrno("read");
        }
    }
}

void writeAll(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t count = ::write(fd, data, size);
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwErrno("write");
        }
        data += count;
        size -= static_cast<std::size_t>(count);
    }
}

bool isInterrupt(const pollfd& fd) {
    return fd.fd >= 0 && (fd.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

int waitFor(pollfd (&fds)[2], std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       deadline - std::chrono::steady_clock::now()),
                                   std::chrono::milliseconds(0));
        const int result =
            ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1'000'000'000)));
        if (result >= 0) {
            return result;
        }
        if (errno != EINTR) {
            throwErrno("poll");
        }
    }
}

}  // namespace dfp::client
