#pragma once

// A TCP connection to the server under test, as a blocking socket whose every wait has a
// deadline: connect, send and receive each give up after the timeout with IoError. Raw POSIX
// rather than Poco's StreamSocket so that the idle pool can poll ten thousand of the same
// descriptors from one thread. Movable, not copyable; one thread at a time.

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dfp::bench {

using Clock = std::chrono::steady_clock;

class IoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Where the server is. Resolved once, numerically or through the resolver; connecting to it
// never looks anything up again.
class Endpoint {
public:
    // Throws IoError when the host does not resolve.
    static Endpoint resolve(const std::string& host, std::uint16_t port);

    const sockaddr* address() const { return reinterpret_cast<const sockaddr*>(&storage_); }
    socklen_t length() const { return length_; }
    int family() const { return storage_.ss_family; }
    const std::string& text() const { return text_; }  // host:port, for the report

private:
    sockaddr_storage storage_{};
    socklen_t length_ = 0;
    std::string text_;
};

class Socket {
public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket();
    Socket(Socket&& other) noexcept;
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    // A connected blocking socket with TCP_NODELAY (requests are single lines: Nagle would
    // hold the next one back behind the ack of the last). Throws IoError.
    static Socket connect(const Endpoint& endpoint, Clock::duration timeout);

    void sendAll(std::string_view bytes, Clock::duration timeout);
    // Up to capacity bytes; 0 when the server has closed. Throws IoError on timeout or error.
    std::size_t receive(char* buffer, std::size_t capacity, Clock::duration timeout);

    bool isOpen() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    void close();

private:
    // A blocking socket waits in send and recv themselves, bounded by SO_SNDTIMEO and
    // SO_RCVTIMEO (one system call per wait instead of recv, poll and recv again); these set
    // them to `timeout` unless they are already.
    void blockWithTimeout(Clock::duration timeout);

    int fd_ = -1;
    bool blocking_ = false;  // else non-blocking: every wait is a poll
    Clock::duration timeout_{};
};

std::string errnoText(int error);

}  // namespace dfp::bench
