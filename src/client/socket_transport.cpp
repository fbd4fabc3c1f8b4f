#include "client/socket_transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace dfp::client {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReceiveChunk = 64 * 1024;

}  // namespace

SocketTransport::SocketTransport(const std::string& host, std::uint16_t port,
                                 std::chrono::milliseconds timeout, int interruptFd)
    : interruptFd_(interruptFd) {
    const std::string where = host + ":" + std::to_string(port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        throw ConnectError("Cannot connect to " + where + ": " + ::gai_strerror(rc));
    }
    std::string lastError = "no address";
    for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
        FileDescriptor sock(::socket(address->ai_family,
                                     address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                     address->ai_protocol));
        if (!sock.valid()) {
            lastError = std::strerror(errno);
            continue;
        }
        if (::connect(sock.get(), address->ai_addr, address->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                lastError = std::strerror(errno);
                continue;
            }
            pollfd fds[2] = {{sock.get(), POLLOUT, 0}, {interruptFd_, POLLIN, 0}};
            const int ready = waitFor(fds, timeout);
            if (ready == 0 || isInterrupt(fds[1])) {
                lastError = ready == 0 ? "timed out" : "interrupted";
                continue;
            }
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0) {
                lastError = std::strerror(error);
                continue;
            }
        }
        // Requests are small lines sent one at a time; Nagle would only delay them.
        const int on = 1;
        ::setsockopt(sock.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        socket_ = std::move(sock);
        break;
    }
    ::freeaddrinfo(found);
    if (!socket_.valid()) {
        throw ConnectError("Cannot connect to " + where + ": " + lastError);
    }
}

Transport::Received SocketTransport::receive(std::chrono::milliseconds timeout) {
    if (!pending_.empty()) {
        return {Status::Ok, std::exchange(pending_, {})};
    }
    if (peerClosed_) {
        return {Status::Closed, {}};
    }
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        std::string buffer(kReceiveChunk, '\0');
        const ssize_t count = ::recv(socket_.get(), buffer.data(), buffer.size(), 0);
        if (count > 0) {
            buffer.resize(static_cast<std::size_t>(count));
            return {Status::Ok, std::move(buffer)};
        }
        if (count == 0) {
            peerClosed_ = true;
            return {Status::Closed, {}};
        }
        if (errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN) {
            peerClosed_ = true;
            return {Status::Closed, {}};
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            throwErrno("receive");
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return {Status::TimedOut, {}};
        }
        pollfd fds[2] = {{socket_.get(), POLLIN, 0}, {interruptFd_, POLLIN, 0}};
        const int ready = waitFor(fds, left);
        if (isInterrupt(fds[1])) {
            return {Status::Interrupted, {}};
        }
        if (ready == 0) {
            return {Status::TimedOut, {}};
        }
    }
}

Transport::Status SocketTransport::send(std::string_view bytes, std::chrono::milliseconds timeout) {
    while (!bytes.empty()) {
        if (peerClosed_) {
            return Status::Closed;
        }
        const ssize_t count = ::send(socket_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (count > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(count));
            continue;
        }
        if (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN) {
                peerClosed_ = true;
                return Status::Closed;
            }
            throwErrno("send");
        }
        // Full send buffer. The server may be telling us something meanwhile (a 600 during an
        // upload): take it in, so that the session sees it and so that the server, whose
        // writes we drain, can go on reading.
        pollfd fds[2] = {{socket_.get(), POLLOUT | POLLIN, 0}, {interruptFd_, POLLIN, 0}};
        const int ready = waitFor(fds, timeout);
        if (isInterrupt(fds[1])) {
            return Status::Interrupted;
        }
        if (ready == 0) {
            return Status::TimedOut;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            char buffer[4096];
            const ssize_t got = ::recv(socket_.get(), buffer, sizeof buffer, 0);
            if (got > 0) {
                pending_.append(buffer, static_cast<std::size_t>(got));
            } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                peerClosed_ = true;
                return Status::Closed;
            }
        }
    }
    // One look without waiting, so that a notice already on its way is noticed between the
    // chunks of an upload even when the send buffer never fills.
    pollfd fd{socket_.get(), POLLIN, 0};
    if (::poll(&fd, 1, 0) > 0 && (fd.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        char buffer[4096];
        const ssize_t got = ::recv(socket_.get(), buffer, sizeof buffer, 0);
        if (got > 0) {
            pending_.append(buffer, static_cast<std::size_t>(got));
        } else if (got == 0) {
            peerClosed_ = true;
        }
    }
    return Status::Ok;
}

}  // namespace dfp::client
