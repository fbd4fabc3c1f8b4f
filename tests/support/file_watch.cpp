#include "support/file_watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace dfp::test {

std::string readWholeFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

bool waitForFileText(const std::filesystem::path& path, std::string_view needle,
                     std::chrono::milliseconds timeout) {
    const int watcher = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (watcher < 0) {
        throw std::system_error(errno, std::generic_category(), "inotify_init1");
    }
    // Watched before the first read, so a write between the read and the wait still wakes it.
    const std::filesystem::path directory = path.parent_path().empty() ? "." : path.parent_path();
    if (::inotify_add_watch(watcher, directory.c_str(),
                            IN_CREATE | IN_MODIFY | IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
        const int error = errno;
        ::close(watcher);
        throw std::system_error(error, std::generic_category(), "inotify_add_watch");
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool found = false;
    for (;;) {
        if (readWholeFile(path).find(needle) != std::string::npos) {
            found = true;
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        pollfd fd{watcher, POLLIN, 0};
        if (::poll(&fd, 1, static_cast<int>(left.count())) > 0) {
            char events[4096];
            while (::read(watcher, events, sizeof events) > 0) {
                // Drained: what changed does not matter, the file is read again.
            }
        }
    }
    ::close(watcher);
    return found;
}

}  // namespace dfp::test
