#include "client/tls_transport.h"

#include <arpa/inet.h>
#include <poll.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>

#include "client/posix_fd.h"

namespace dfp::client {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReceiveChunk = 64 * 1024;
constexpr std::size_t kFirstBytesKept = 16;

std::string takeOpenSslErrors() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += (text.empty() ? "" : "; ") + std::string(buffer);
    }
    return text.empty() ? std::string("no reason given") : text;
}

bool isIpLiteral(const std::string& host) {
    unsigned char address[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), address) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

// Keeps the first bytes the server sends during the handshake, so that a plain DFP greeting
// can be named as such instead of as an OpenSSL record error.
long recordFirstBytes(BIO* bio, int operation, const char* data, std::size_t /*length*/,
                      int /*argi*/, long /*argl*/, int ret, std::size_t* processed) {
    if (operation == (BIO_CB_READ | BIO_CB_RETURN) && ret > 0 && processed != nullptr) {
        auto* kept = reinterpret_cast<std::string*>(BIO_get_callback_arg(bio));
        if (kept != nullptr && kept->size() < kFirstBytesKept) {
            kept->append(data, std::min(*processed, kFirstBytesKept - kept->size()));
        }
    }
    return ret;
}

SSL_CTX* makeContext(const std::optional<std::string>& caFile) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) {
        throw ConnectError("TLS: cannot set up OpenSSL: " + takeOpenSslErrors());
    }
    std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> guard(ctx, SSL_CTX_free);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    // SSL_write may return after each record, and its retry may come from a moved buffer.
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (caFile) {
        if (SSL_CTX_load_verify_locations(ctx, caFile->c_str(), nullptr) != 1) {
            throw ConnectError("TLS: cannot read the CA file " + *caFile + ": " +
                               takeOpenSslErrors());
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        throw ConnectError("TLS: cannot load the system's trusted certificates: " +
                           takeOpenSslErrors());
    }
    return guard.release();
}

}  // namespace

TlsTransport::TlsTransport(const std::string& host, std::uint16_t port,
                           std::chrono::milliseconds timeout,
                           const std::optional<std::string>& caFile, int interruptFd)
    : ctx_(makeContext(caFile)),
      socket_(host, port, timeout, interruptFd),
      ssl_(SSL_new(ctx_.get())),
      interruptFd_(interruptFd) {
    if (!ssl_) {
        throw ConnectError("TLS: cannot set up OpenSSL: " + takeOpenSslErrors());
    }
    handshake(host, port, timeout, caFile);
}

TlsTransport::~TlsTransport() {
    // A close_notify if it fits in the send buffer now; never a wait.
    if (!peerClosed_ && SSL_is_init_finished(ssl_.get()) == 1) {
        ERR_clear_error();
        SSL_shutdown(ssl_.get());
    }
    ERR_clear_error();
}

void TlsTransport::handshake(const std::string& host, std::uint16_t port,
                             std::chrono::milliseconds timeout,
                             const std::optional<std::string>& caFile) {
    const std::string where = host + ":" + std::to_string(port);
    SSL* ssl = ssl_.get();
    BIO* bio = BIO_new_socket(socket_.pollDescriptor(), BIO_NOCLOSE);
    if (bio == nullptr) {
        throw ConnectError("TLS: cannot set up OpenSSL: " + takeOpenSslErrors());
    }
    SSL_set_bio(ssl, bio, bio);  // ssl owns it now
    std::string firstBytes;
    BIO_set_callback_arg(bio, reinterpret_cast<char*>(&firstBytes));
    BIO_set_callback_ex(bio, &recordFirstBytes);

    // The certificate must name the host we were asked for: an IP literal as an IP address
    // (SAN iPAddress), anything else as a DNS name, which is also sent as SNI.
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const bool ipLiteral = isIpLiteral(host);
    const int named = ipLiteral ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str())
                                : SSL_set1_host(ssl, host.c_str());
    if (named != 1 || (!ipLiteral && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)) {
        throw ConnectError("TLS: cannot check certificates for host " + host + ": " +
                           takeOpenSslErrors());
    }

    const auto deadline = Clock::now() + timeout;
    for (;;) {
        ERR_clear_error();
        const int rc = SSL_connect(ssl);
        if (rc == 1) {
            break;
        }
        const int error = SSL_get_error(ssl, rc);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd fds[2] = {
                {socket_.pollDescriptor(),
                 static_cast<short>(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0},
                {interruptFd_, POLLIN, 0}};
            const int ready = left.count() > 0 ? waitFor(fds, left) : 0;
            if (isInterrupt(fds[1])) {
                throw ConnectError("TLS: interrupted during the handshake with " + where);
            }
            if (ready == 0) {
                throw ConnectError("TLS: no TLS handshake with " + where + " within " +
                                   std::to_string(timeout.count() / 1000) +
                                   " s; is it a TLS server?");
            }
            continue;
        }
        // Why, in the order that explains most: the certificate, then what the server sent.
        const long verify = SSL_get_verify_result(ssl);
        // OpenSSL 3 reports an EOF as an error of its own, not as SSL_ERROR_SYSCALL.
        const bool unexpectedEof =
            ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
        const std::string openSslErrors = takeOpenSslErrors();
        if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
            throw ConnectError("TLS: the server's certificate is not valid for host " + host +
                               " (hostname mismatch)");
        }
        if (verify != X509_V_OK) {
            const std::string reason = X509_verify_cert_error_string(verify);
            throw ConnectError(caFile ? "TLS: the server's certificate is not trusted by " +
                                            *caFile + " (" + reason + ")"
                                      : "TLS: the server's certificate is not trusted (" + reason +
                                            "); pass --ca-file");
        }
        if (firstBytes.starts_with("200 ")) {
            throw ConnectError("TLS: the server at " + where +
                               " does not speak TLS (it sent a plain DFP greeting); drop --tls");
        }
        if (!firstBytes.empty() && firstBytes[0] != 0x15 && firstBytes[0] != 0x16) {
            throw ConnectError("TLS: the server at " + where +
                               " does not speak TLS (it answered with something else)");
        }
        if (error == SSL_ERROR_SYSCALL || error == SSL_ERROR_ZERO_RETURN || unexpectedEof) {
            throw ConnectError(
                "TLS: the server at " + where +
                " closed the connection during the handshake (as a TLS server at its "
                "session limit does)");
        }
        throw ConnectError("TLS: the handshake with " + where + " failed: " + openSslErrors);
    }
    BIO_set_callback_ex(bio, nullptr);
    BIO_set_callback_arg(bio, nullptr);
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
