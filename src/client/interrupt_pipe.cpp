#include "client/interrupt_pipe.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "client/posix_fd.h"

namespace dfp::client {
namespace {

int gWriteFd = -1;

extern "C" void onInterrupt(int) {
    const int saved = errno;
    const char byte = 'i';
    // Non-blocking: if the pipe is full, an interrupt is pending already.
    [[maybe_unused]] const ssize_t ignored = ::write(gWriteFd, &byte, 1);
    errno = saved;
}

}  // namespace

InterruptPipe::InterruptPipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        throwErrno("pipe");
    }
    readFd_ = fds[0];
    gWriteFd = fds[1];

    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);

    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, nullptr);
}

InterruptPipe& InterruptPipe::install() {
    static InterruptPipe pipe;
    return pipe;
}

bool InterruptPipe::pending() const {
    pollfd fd{readFd_, POLLIN, 0};
    return ::poll(&fd, 1, 0) > 0 && (fd.revents & POLLIN) != 0;
}

bool InterruptPipe::take() {
    bool any = false;
    char buffer[64];
    while (::read(readFd_, buffer, sizeof buffer) > 0) {
        any = true;
    }
    return any;
}

}  // namespace dfp::client
