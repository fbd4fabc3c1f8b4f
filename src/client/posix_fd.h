#pragma once

// Small RAII and error helpers over POSIX file descriptors, shared by the transfer code.
// Failures throw std::system_error carrying errno and what was being done.

#include <poll.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

namespace dfp::client {

inline constexpr std::size_t kFileChunk = 64 * 1024;

class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor();
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    // Closes now and reports a failed close (which can be where a write error shows up).
    void close();

private:
    int fd_ = -1;
};

[[noreturn]] void throwErrno(const std::string& what);

// fds[1], the interrupt descriptor (Ctrl-C), if it is one (not -1) and became readable.
bool isInterrupt(const pollfd& fd);

// Waits for events on fds (a socket and the interrupt descriptor); returns the poll() count, 0
// when the timeout passes. A signal (EINTR) is not an event: Ctrl-C shows up as the interrupt
// descriptor becoming readable, because the handler writes to it before poll() returns.
int waitFor(pollfd (&fds)[2], std::chrono::milliseconds timeout);

// Opens a regular file for reading; refuses directories and devices in words.
FileDescriptor openForReading(const std::string& path);

// read() until at least one byte or end of file (0); retries EINTR.
std::size_t readSome(int fd, char* buffer, std::size_t size);

// write() all of it; retries EINTR and short writes.
void writeAll(int fd, const char* data, std::size_t size);

}  // namespace dfp::client
