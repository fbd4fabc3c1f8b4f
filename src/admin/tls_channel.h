#pragma once

// TLS for `dfp-admin shutdown --tls` (protocol.md §9): OpenSSL over the descriptor of a
// connected, blocking socket whose send and receive timeouts are set. The server's
// certificate must chain to the system's CAs (or to the given CA file) and name the host;
// otherwise the handshake fails with TlsError, whose words match dfp-client's.
//
// This repeats the context setup of src/client/tls_transport.cpp (about forty lines) on
// purpose: the admin does not link the client library, and src/protocol has no sockets
// (STYLE.md §1). Plain OpenSSL rather than Poco's SecureStreamSocket, whose certificate
// checks report to a handler that by default asks on the console. Not copyable; one thread.

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace dfp::admin {

class TlsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class TlsChannel {
public:
    // Shakes hands over fd (not owned, must outlive this). Throws TlsError, or
    // Poco::TimeoutException when a socket timeout passes.
    TlsChannel(int fd, const std::string& host, std::uint16_t port,
               const std::optional<std::string>& caFile);
    ~TlsChannel();
    TlsChannel(const TlsChannel&) = delete;
    TlsChannel& operator=(const TlsChannel&) = delete;

    // As StreamSocket's: bytes moved, 0 when the server closed. Throw
    // Poco::TimeoutException on a socket timeout.
    int receive(char* buffer, int size);
    int send(const char* bytes, int size);

private:
    struct CtxFree {
        void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
    };
    struct SslFree {
        void operator()(SSL* ssl) const { SSL_free(ssl); }
    };

    std::unique_ptr<SSL_CTX, CtxFree> ctx_;
    std::unique_ptr<SSL, SslFree> ssl_;
    bool closed_ = false;
};

}  // namespace dfp::admin
