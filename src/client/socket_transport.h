#pragma once

// A TCP connection to the server, non-blocking under the hood so that every wait is a poll()
// that also watches the interrupt descriptor (Ctrl-C) and has a deadline: a server that
// vanishes or stalls ends a wait with a status, never a hang. Sends use MSG_NOSIGNAL, so a
// peer that went away is a status too, not a SIGPIPE. Not copyable; one thread.

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "client/posix_fd.h"
#include "client/transport.h"

namespace dfp::client {

class ConnectError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SocketTransport : public Transport {
public:
    // Resolves host and connects to the first address that answers within timeout. Throws
    // ConnectError with a sentence for people ("Cannot connect to 127.0.0.1:58000: Connection
    // refused"). interruptFd, if not -1, is watched by every wait.
    SocketTransport(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
                    int interruptFd = -1);

    Received receive(std::chrono::milliseconds timeout) override;
    Status send(std::string_view bytes, std::chrono::milliseconds timeout) override;
    bool hasPending() const override { return !pending_.empty() || peerClosed_; }
    int pollDescriptor() const override { return socket_.get(); }

private:
    FileDescriptor socket_;
    int interruptFd_;
    std::string pending_;      // received while sending, not yet handed out
    bool peerClosed_ = false;  // seen while sending; reported after pending_
};

}  // namespace dfp::client
