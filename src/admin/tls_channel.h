#pragma once

// TLS for `dfp-admin shutdown --tls` (protocol.md §9): OpenSSL over the descriptor of a
// connected, blocking socket whose send and receive timeouts are set. The server's
// certificate must chain to the system's CAs (or to the given CA file) and name the host;
// otherwise the handshake fails with TlsError, whose words match dfp-client's.
// The context, the host name check and the words of a refusal are src/tls's, shared with
// dfp-client. Not copyable; one thread.

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "tls/client_tls.h"

namespace dfp::admin {

using TlsError = tls::TlsError;

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
    tls::Context ctx_;
    tls::Connection ssl_;
    bool closed_ = false;
};

}  // namespace dfp::admin
