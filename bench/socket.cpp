#include "bench/socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace dfp::bench {
namespace {

int millisecondsLeft(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::clamp<long long>(left.count(), 0, 1'000'000));
}

// Waits until fd is ready for `events`; false when the deadline passes first.
bool waitFor(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd entry{fd, events, 0};
        const int ready = ::poll(&entry, 1, millisecondsLeft(deadline));
        if (ready > 0) {
            return true;
        }
        if (ready == 0) {
            if (Clock::now() >= deadline) {
                return false;
            }
            continue;
        }
        if (errno != EINTR) {
            throw IoError("poll: " + errnoText(errno));
        }
    }
}

}  // namespace

std::string errnoText(int error) {
    return std::error_code(error, std::generic_category()).message();
}

Endpoint Endpoint::resolve(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        throw IoError("cannot resolve " + host + ": " + ::gai_strerror(rc));
    }
    Endpoint endpoint;
    std::memcpy(&endpoint.storage_, found->ai_addr, found->ai_addrlen);
    endpoint.length_ = found->ai_addrlen;
    endpoint.text_ = host + ":" + service;
    ::freeaddrinfo(found);
    return endpoint;
}

Socket::~Socket() {
    close();
}

Socket::Socket(Socket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      blocking_(std::exchange(other.blocking_, false)),
      timeout_(other.timeout_) {}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        blocking_ = std::exchange(other.blocking_, false);
        timeout_ = other.timeout_;
    }
    return *this;
}

void Socket::close() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    blocking_ = false;
}

void Socket::blockWithTimeout(Clock::duration timeout) {
    if (blocking_ && timeout == timeout_) {
        return;
    }
    const auto micros = std::chrono::ceil<std::chrono::microseconds>(timeout).count();
    timeval limit{};
    limit.tv_sec = static_cast<time_t>(micros / 1'000'000);
    limit.tv_usec = static_cast<suseconds_t>(micros % 1'000'000);
    if (micros <= 0) {
        limit.tv_usec = 1;  // zero would mean "wait for ever"
    }
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) != 0 ||
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) != 0) {
        throw IoError("socket options: " + errnoText(errno));
    }
    blocking_ = true;
    timeout_ = timeout;
}

Socket Socket::connect(const Endpoint& endpoint, Clock::duration timeout) {
    const auto deadline = Clock::now() + timeout;
    Socket socket(::socket(endpoint.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!socket.isOpen()) {
        throw IoError("socket: " + errnoText(errno));
    }
    const int one = 1;
    ::setsockopt(socket.fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(socket.fd_, endpoint.address(), endpoint.length()) != 0) {
        if (errno != EINPROGRESS) {
            throw IoError("connect to " + endpoint.text() + ": " + errnoText(errno));
        }
        if (!waitFor(socket.fd_, POLLOUT, deadline)) {
            throw IoError("connect to " + endpoint.text() + ": timed out");
        }
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(socket.fd_, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            throw IoError("connect to " + endpoint.text() + ": " + errnoText(error));
        }
    }
    socket.blockWithTimeout(timeout);
    return socket;
}

void Socket::sendAll(std::string_view bytes, Clock::duration timeout) {
    if (blocking_) {
        blockWithTimeout(timeout);
    }
    auto deadline = Clock::now() + timeout;
    while (!bytes.empty()) {
        const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
            // The timeout bounds a stall, not a whole transfer: progress renews it.
            deadline = Clock::now() + timeout;
            continue;
        }
        if (sent < 0 && errno == EINTR) {
            continue;
        }
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (blocking_ || !waitFor(fd_, POLLOUT, deadline)) {
                throw IoError("send: no progress for the timeout (the server stopped reading)");
            }
            continue;
        }
        throw IoError("send: " + errnoText(errno));
    }
}

std::size_t Socket::receive(char* buffer, std::size_t capacity, Clock::duration timeout) {
    if (blocking_) {
        blockWithTimeout(timeout);
    }
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const ssize_t got = ::recv(fd_, buffer, capacity, 0);
        if (got >= 0) {
            return static_cast<std::size_t>(got);
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (blocking_ || !waitFor(fd_, POLLIN, deadline)) {
                throw IoError("receive: no reply within the timeout");
            }
            continue;
        }
        if (errno == ECONNRESET) {
            return 0;
        }
        throw IoError("receive: " + errnoText(errno));
    }
}

}  // namespace dfp::bench
