#include "client/scripted_input.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "client/posix_fd.h"

namespace dfp::client {

InputEvent ScriptedInput::readLine(const std::string& /*prompt*/) {
    for (;;) {
        const std::size_t lf = buffer_.find('\n');
        if (lf != std::string::npos) {
            std::string line = buffer_.substr(0, lf);
            buffer_.erase(0, lf + 1);
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            return {InputEvent::Kind::Line, std::move(line)};
        }
        if (ended_) {
            if (buffer_.empty()) {
                return {InputEvent::Kind::End, {}};
            }
            std::string line = std::move(buffer_);
            buffer_.clear();
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            return {InputEvent::Kind::Line, std::move(line)};
        }

        pollfd fds[3] = {{socketFd_, POLLIN, 0}, {interruptFd_, POLLIN, 0}, {inputFd_, POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwErrno("poll");
        }
        if ((fds[1].revents & POLLIN) != 0) {
            return {InputEvent::Kind::Interrupt, {}};
        }
        // The server first: a 600 that arrived while the script was slow to come ends it.
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            return {InputEvent::Kind::ServerActivity, {}};
        }
        if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0) {
            char chunk[16 * 1024];
            const ssize_t count = ::read(inputFd_, chunk, sizeof chunk);
            if (count > 0) {
                buffer_.append(chunk, static_cast<std::size_t>(count));
            } else if (count == 0 || (errno != EINTR && errno != EAGAIN)) {
                ended_ = true;
            }
        }
    }
}

}  // namespace dfp::client
