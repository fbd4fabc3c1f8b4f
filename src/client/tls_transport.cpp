#include "client/tls_transport.h"

#include <poll.h>

#include <openssl/err.h>

#include <algorithm>
#include <cerrno>

#include "client/posix_fd.h"

namespace dfp::client {
namespace {

using Clock = std::chrono::steady_clock;

// SSL_write may return after each record, and its retry may come from a moved buffer.
tls::Context makeContext(const std::optional<std::string>& caFile) {
    try {
        return tls::makeClientContext(
            caFile, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    } catch (const tls::TlsError& e) {
        throw ConnectError(e.what());
    }
}

constexpr std::size_t kReceiveChunk = 64 * 1024;

}  // namespace

TlsTransport::TlsTransport(const std::string& host, std::uint16_t port,
                           std::chrono::milliseconds timeout,
                           const std::optional<std::string>& caFile, int interruptFd)
    : ctx_(makeContext(caFile)),
      socket_(host, port, timeout, interruptFd),
      interruptFd_(interruptFd) {
    handshake(host, port, timeout, caFile);
}

TlsTransport::~TlsTransport() {
    // A close_notify if it fits in the send buffer now; never a wait.
    if (ssl_ && !peerClosed_ && SSL_is_init_finished(ssl_.get()) == 1) {
        ERR_clear_error();
        SSL_shutdown(ssl_.get());
    }
    ERR_clear_error();
}

void TlsTransport::handshake(const std::string& host, std::uint16_t port,
                             std::chrono::milliseconds timeout,
                             const std::optional<std::string>& caFile) {
    try {
        tls::ClientHandshake handshake(ctx_.get(), socket_.pollDescriptor(), host, port, caFile);
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            const int error = handshake.step();
            if (error == 0) {
                break;
            }
            if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
                throw ConnectError(handshake.failure(error));
            }
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd fds[2] = {
                {socket_.pollDescriptor(),
                 static_cast<short>(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0},
                {interruptFd_, POLLIN, 0}};
            const int ready = left.count() > 0 ? waitFor(fds, left) : 0;
            if (isInterrupt(fds[1])) {
                throw ConnectError("TLS: interrupted during the handshake with " +
                                   handshake.where());
            }
            if (ready == 0) {
                throw ConnectError("TLS: no TLS handshake with " + handshake.where() + " within " +
                                   std::to_string(timeout.count() / 1000) +
                                   " s; is it a TLS server?");
            }
        }
        ssl_ = handshake.release();
    } catch (const tls::TlsError& e) {
        throw ConnectError(e.what());
    }
}

Transport::Received TlsTransport::receive(std::chrono::milliseconds timeout) {
    if (!pending_.empty()) {
        return {Status::Ok, std::exchange(pending_, {})};
    }
    if (peerClosed_) {
        return {Status::Closed, {}};
    }
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        std::string buffer(kReceiveChunk, '\0');
        std::size_t got = 0;
        ERR_clear_error();
        int rc = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &got);
        if (rc == 1) {
            // Whatever OpenSSL holds already, so that poll() on the descriptor tells the
            // truth about what is left: the input layers wait on it between commands.
            std::size_t more = 0;
            while (SSL_pending(ssl_.get()) > 0) {
                const auto pending = static_cast<std::size_t>(SSL_pending(ssl_.get()));
                if (buffer.size() - got < pending) {
                    buffer.resize(got + pending);
                }
                if (SSL_read_ex(ssl_.get(), buffer.data() + got, buffer.size() - got, &more) != 1) {
                    break;
                }
                got += more;
            }
            ERR_clear_error();
            buffer.resize(got);
            return {Status::Ok, std::move(buffer)};
        }
        const int error = SSL_get_error(ssl_.get(), rc);
        ERR_clear_error();
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
            // close_notify, a reset, or a broken record: the session is over either way.
            peerClosed_ = true;
            return {Status::Closed, {}};
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return {Status::TimedOut, {}};
        }
        pollfd fds[2] = {{socket_.pollDescriptor(),
                          static_cast<short>(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0},
                         {interruptFd_, POLLIN, 0}};
        const int ready = waitFor(fds, left);
        if (isInterrupt(fds[1])) {
            return {Status::Interrupted, {}};
        }
        if (ready == 0) {
            return {Status::TimedOut, {}};
        }
    }
}

void TlsTransport::collectPending() {
    char buffer[16 * 1024];
    for (;;) {
        std::size_t got = 0;
        ERR_clear_error();
        const int rc = SSL_read_ex(ssl_.get(), buffer, sizeof buffer, &got);
        if (rc == 1) {
            pending_.append(buffer, got);
            continue;
        }
        const int error = SSL_get_error(ssl_.get(), rc);
        ERR_clear_error();
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
            peerClosed_ = true;
        }
        return;
    }
}

Transport::Status TlsTransport::send(std::string_view bytes, std::chrono::milliseconds timeout) {
    while (!bytes.empty()) {
        if (peerClosed_) {
            return Status::Closed;
        }
        std::size_t written = 0;
        ERR_clear_error();
        const int rc = SSL_write_ex(ssl_.get(), bytes.data(), bytes.size(), &written);
        if (rc == 1) {
            bytes.remove_prefix(written);
            continue;
        }
        const int error = SSL_get_error(ssl_.get(), rc);
        ERR_clear_error();
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
            peerClosed_ = true;
            return Status::Closed;
        }
        // As the plain transport: while the send buffer is full, take in what the server
        // says (a 600 during an upload), so that it can go on reading ours.
        pollfd fds[2] = {
            {socket_.pollDescriptor(),
             static_cast<short>(POLLIN | (error == SSL_ERROR_WANT_WRITE ? POLLOUT : 0)), 0},
            {interruptFd_, POLLIN, 0}};
        const int ready = waitFor(fds, timeout);
        if (isInterrupt(fds[1])) {
            return Status::Interrupted;
        }
        if (ready == 0) {
            return Status::TimedOut;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            collectPending();
        }
    }
    // One look without waiting, so that a notice on its way is seen between upload chunks.
    pollfd fd{socket_.pollDescriptor(), POLLIN, 0};
    if (SSL_pending(ssl_.get()) > 0 ||
        (::poll(&fd, 1, 0) > 0 && (fd.revents & (POLLIN | POLLHUP | POLLERR)) != 0)) {
        collectPending();
    }
    return Status::Ok;
}

}  // namespace dfp::client
