#pragma once

// The byte pipe under a client session. An interface so that the session's use of the
// response reader can be tested with bytes split and delayed at will (tests/unit/client);
// SocketTransport is the real one.

#include <chrono>
#include <string>
#include <string_view>

namespace dfp::client {

class Transport {
public:
    enum class Status {
        Ok,           // receive: bytes holds what arrived; send: everything was sent
        Closed,       // the peer closed the connection or reset it
        TimedOut,     // nothing happened for the whole timeout
        Interrupted,  // the user pressed Ctrl-C (the interrupt descriptor became readable)
    };
    struct Received {
        Status status = Status::Ok;
        std::string bytes;
    };

    virtual ~Transport() = default;

    // Waits at most timeout for bytes. A timeout of zero only collects what is there.
    virtual Received receive(std::chrono::milliseconds timeout) = 0;

    // Sends all of bytes, waiting at most timeout for each bit of progress. Bytes that arrive
    // meanwhile are kept for the next receive(); hasPending() tells that there are some.
    virtual Status send(std::string_view bytes, std::chrono::milliseconds timeout) = 0;
    virtual bool hasPending() const = 0;

    // The descriptor to watch for readability while the client waits for something else
    // (the user's typing); -1 if there is none.
    virtual int pollDescriptor() const = 0;
};

}  // namespace dfp::client
