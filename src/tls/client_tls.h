#pragma once

// What dfp-client and dfp-admin shutdown do alike when they speak TLS to a server
// (protocol.md §9): a context that verifies the server against the system's CAs or a given
// CA file, a handshake that also checks the host name (an IP literal against the
// certificate's IP addresses, a name against its DNS names, and sent as SNI), and one
// sentence for people when it fails. The callers own the descriptor and decide how to wait
// (the client polls a non-blocking socket, the admin blocks with socket timeouts).
//
// Plain OpenSSL rather than Poco's SecureStreamSocket, whose certificate checks report to a
// handler that by default asks on the console.

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace dfp::tls {

// A refusal or failure, in words for the person at the terminal.
class TlsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ContextFree {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct ConnectionFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using Context = std::unique_ptr<SSL_CTX, ContextFree>;
using Connection = std::unique_ptr<SSL, ConnectionFree>;

// TLS 1.2 or newer; the server must present a certificate that chains to caFile's CAs (or,
// without one, the system's). modes go to SSL_CTX_set_mode. Throws TlsError.
Context makeClientContext(const std::optional<std::string>& caFile, long modes);

// One client handshake over fd (not owned), expecting a certificate for host. Call step()
// until it returns 0; on SSL_ERROR_WANT_READ / WANT_WRITE wait as the caller's socket
// requires and call it again; on anything else, failure() says why. Not copyable or movable
// (OpenSSL keeps a pointer to it while it watches the first bytes).
class ClientHandshake {
public:
    // Throws TlsError.
    ClientHandshake(SSL_CTX* context, int fd, const std::string& host, std::uint16_t port,
                    std::optional<std::string> caFile);
    ~ClientHandshake();
    ClientHandshake(const ClientHandshake&) = delete;
    ClientHandshake& operator=(const ClientHandshake&) = delete;

    // 0 once the handshake is done, else SSL_get_error's code for this attempt.
    int step();
    // Why the handshake failed with error (a code step() returned other than the WANTs), in
    // the order that explains most: the certificate, then what the server sent.
    std::string failure(int error);
    // The connection, once step() returned 0.
    Connection release();

    const std::string& where() const { return where_; }

private:
    void stopWatching();

    Connection ssl_;
    BIO* bio_ = nullptr;  // owned by ssl_
    std::string host_;
    std::string where_;  // host:port, for messages
    std::optional<std::string> caFile_;
    std::string firstBytes_;  // the server's first bytes, to name a plain DFP greeting
};

}  // namespace dfp::tls
