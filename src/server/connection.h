#pragma once

// The socket side of a session: reads bytes, frames them, feeds the Session, writes what it
// answers, and delivers the notices (600, 601) at response boundaries. One per connection,
// started on a thread of the server's pool by Poco's TCPServer. A TLS session keeps that
// thread until it ends; a plain TCP one greets, serves what has arrived, and then waits in the
// parking lot (parking_lot.h) between requests, served in turns by its workers.

#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include "server/session.h"

namespace dfp::server {

class SessionConnection : public Poco::Net::TCPServerConnection {
public:
    SessionConnection(const Poco::Net::StreamSocket& socket, ServerContext& context);
    void run() override;

private:
    ServerContext& context_;
};

class SessionConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    explicit SessionConnectionFactory(ServerContext& context) : context_(context) {}
    Poco::Net::TCPServerConnection* createConnection(
        const Poco::Net::StreamSocket& socket) override {
        return new SessionConnection(socket, context_);
    }

private:
    ServerContext& context_;
};

// Runs on the acceptor thread, before a connection reaches the pool: beyond the session limit
// it answers 503 itself and closes, because Poco's queue would otherwise close it silently
// or keep it waiting for a thread. Under TLS it closes without a word: writing would run the
// handshake on the acceptor thread.
class SessionLimitFilter : public Poco::Net::TCPServerConnectionFilter {
public:
    explicit SessionLimitFilter(ServerContext& context) : context_(context) {}
    bool accept(const Poco::Net::StreamSocket& socket) override;

private:
    ServerContext& context_;
};

}  // namespace dfp::server
