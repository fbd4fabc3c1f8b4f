#pragma once

// A TLS connection to the server (protocol.md §9) over SocketTransport's non-blocking
// descriptor: OpenSSL's SSL_read and SSL_write, and every WANT_READ or WANT_WRITE a poll()
// with the same deadline and interrupt descriptor as the plain transport, so TLS adds no
// way to hang. The server's certificate must chain to the system's trusted CAs (or to the
// given CA file) and name the host the client was asked to reach; otherwise the constructor
// refuses with a ConnectError that says which, in words. Not copyable; one thread.
// The context, the host name check and the words of a refusal are src/tls's, shared with
// dfp-admin.

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "client/socket_transport.h"
#include "client/transport.h"
#include "tls/client_tls.h"

namespace dfp::client {

class TlsTransport : public Transport {
public:
    // caFile: trust only the CAs in this PEM file; nullopt: the system's store.
    TlsTransport(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
                 const std::optional<std::string>& caFile, int interruptFd = -1);
    ~TlsTransport() override;
    TlsTransport(const TlsTransport&) = delete;
    TlsTransport& operator=(const TlsTransport&) = delete;

    Received receive(std::chrono::milliseconds timeout) override;
    Status send(std::string_view bytes, std::chrono::milliseconds timeout) override;
    // Decrypted bytes inside OpenSSL count too: poll() on the descriptor cannot see them.
    bool hasPending() const override {
        return !pending_.empty() || peerClosed_ || SSL_pending(ssl_.get()) > 0;
    }
    int pollDescriptor() const override { return socket_.pollDescriptor(); }

private:
    void handshake(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
                   const std::optional<std::string>& caFile);
    // Reads without waiting whatever has arrived into pending_ (notices during a send).
    void collectPending();

    tls::Context ctx_;
    SocketTransport socket_;
    tls::Connection ssl_;  // set once the handshake is done
    int interruptFd_;
    std::string pending_;      // received while sending, not yet handed out
    bool peerClosed_ = false;  // seen while sending; reported after pending_
};

}  // namespace dfp::client
