#pragma once

// Ctrl-C as a readable descriptor (the self-pipe trick): the SIGINT handler only writes a
// byte, and every wait of the client polls the read end, so an interrupt ends a wait at once
// and is handled in ordinary code: clearing the line at the prompt, abandoning a transfer
// elsewhere. Also ignores SIGPIPE, so a closed stdout or socket is an error code, not death.
// One per process; install() is not thread-safe and is meant for main().

namespace dfp::client {

class InterruptPipe {
public:
    static InterruptPipe& install();

    int fd() const { return readFd_; }
    // Empties the pipe; true if Ctrl-C was pressed since the last call.
    bool take();
    // True if Ctrl-C was pressed and not yet taken; leaves it for whoever takes it.
    bool pending() const;

private:
    InterruptPipe();
    int readFd_ = -1;
};

}  // namespace dfp::client
