#include "crash/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace dfp::crash {

CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    CommandResult result;
    int output[2];
    if (::pipe2(output, O_CLOEXEC) != 0) {
        result.output = std::string("pipe2: ") + std::strerror(errno);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, output[1], STDERR_FILENO);
    std::vector<std::string> args = argv;
    std::vector<char*> pointers;
    for (std::string& arg : args) {
        pointers.push_back(arg.data());
    }
    pointers.push_back(nullptr);
    pid_t pid = -1;
    const int rc =
        ::posix_spawn(&pid, args.front().c_str(), &actions, nullptr, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(output[1]);
    if (rc != 0) {
        ::close(output[0]);
        result.output = "cannot run " + args.front() + ": " + std::strerror(rc);
        return result;
    }
    result.started = true;

    // Waits on the output pipe and on a pidfd for the child together, so the deadline bounds
    // both: a program that hangs with its output closed is killed all the same.
    // Through syscall(): Debian 12's <sys/pidfd.h> lacks extern "C" for C++.
    const int pidFd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    const auto deadline = Clock::now() + timeout;
    bool outputOpen = true;
    bool exited = pidFd < 0;  // without a pidfd, rely on EOF alone
    char buffer[4096];
    while (outputOpen || !exited) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            result.timedOut = true;
            ::kill(pid, SIGKILL);
            break;
        }
        pollfd fds[2] = {{outputOpen ? output[0] : -1, POLLIN, 0}, {pidFd, POLLIN, 0}};
        const int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 60'000)));
        if (ready <= 0) {
            continue;  // EINTR or no news: the deadline is checked at the top
        }
        if (fds[1].revents != 0) {
            exited = true;
        }
        if (fds[0].revents != 0) {
            const ssize_t got = ::read(output[0], buffer, sizeof buffer);
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got <= 0) {
                outputOpen = false;
            } else {
                result.output.append(buffer, static_cast<std::size_t>(got));
            }
        }
    }
    ::close(output[0]);
    if (pidFd >= 0) {
        ::close(pidFd);
    }
    // The child has exited or been sent SIGKILL: reaping it does not block for long.
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!result.timedOut && WIFEXITED(status)) {
        result.exitCode = WEXITSTATUS(status);
    }
    return result;
}

}  // namespace dfp::crash
