#include "support/client_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace dfp::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), "ClientProcess: " + what);
}

void closeFd(int& fd) {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

void setNonBlocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        fail("fcntl");
    }
}

std::vector<std::string> environmentFor(const ClientLaunch& launch) {
    std::vector<std::string> out;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string item(*entry);
        const std::string name = item.substr(0, item.find('='));
        bool drop = false;
        for (const std::string& unset : launch.unsetEnv) {
            drop = drop || name == unset;
        }
        for (const auto& [key, value] : launch.env) {
            drop = drop || name == key;
        }
        if (!drop) {
            out.push_back(item);
        }
    }
    for (const auto& [key, value] : launch.env) {
        out.push_back(key + "=" + value);
    }
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (std::string& item : strings) {
        out.push_back(item.data());
    }
    out.push_back(nullptr);
    return out;
}

}  // namespace

ClientProcess::ClientProcess(ClientLaunch launch) : terminal_(launch.terminal) {
    std::vector<std::string> argStrings{launch.binary.string()};
    argStrings.insert(argStrings.end(), launch.args.begin(), launch.args.end());
    std::vector<std::string> envStrings = environmentFor(launch);
    std::vector<char*> argv = pointers(argStrings);
    std::vector<char*> envp = pointers(envStrings);
    const std::string workDir = launch.workDir.string();

    // Everything the child needs is prepared here: after fork() in a threaded process only
    // async-signal-safe calls are allowed.
    int master = -1;
    std::string slaveName;
    int inPipe[2] = {-1, -1};
    int outPipe[2] = {-1, -1};
    int errPipe[2] = {-1, -1};
    if (terminal_) {
        master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
            fail("posix_openpt");
        }
        slaveName = ::ptsname(master);
    } else if (::pipe2(inPipe, O_CLOEXEC) != 0 || ::pipe2(outPipe, O_CLOEXEC) != 0 ||
               ::pipe2(errPipe, O_CLOEXEC) != 0) {
        fail("pipe");
    }
    winsize size{};
    size.ws_col = launch.columns;
    size.ws_row = launch.rows;

    pid_ = ::fork();
    if (pid_ < 0) {
        fail("fork");
    }
    if (pid_ == 0) {
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int signal : {SIGINT, SIGPIPE, SIGTERM, SIGCHLD}) {
            ::signal(signal, SIG_DFL);
        }
        if (terminal_) {
            // A session of its own with the terminal as controlling tty, so Ctrl-C
            // (written as \x03) reaches it as SIGINT, as at a real terminal.
            ::setsid();
            const int slave = ::open(slaveName.c_str(), O_RDWR);
            if (slave < 0) {
                ::_exit(126);
            }
            ::ioctl(slave, TIOCSCTTY, 0);
            ::ioctl(slave, TIOCSWINSZ, &size);
            ::dup2(slave, STDIN_FILENO);
            ::dup2(slave, STDOUT_FILENO);
            ::dup2(slave, STDERR_FILENO);
            if (slave > STDERR_FILENO) {
                ::close(slave);
            }
        } else {
            ::dup2(inPipe[0], STDIN_FILENO);
            ::dup2(outPipe[1], STDOUT_FILENO);
            ::dup2(errPipe[1], STDERR_FILENO);
        }
        if (!workDir.empty() && ::chdir(workDir.c_str()) != 0) {
            ::_exit(126);
        }
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }

    // glibc 2.36's <sys/pidfd.h> lacks C linkage for C++, so the system call directly.
    pidFd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidFd_ < 0) {
        fail("pidfd_open");
    }
    if (terminal_) {
        inFd_ = master;
        outFd_ = master;
    } else {
        ::close(inPipe[0]);
        ::close(outPipe[1]);
        ::close(errPipe[1]);
        inFd_ = inPipe[1];
        outFd_ = outPipe[0];
        errFd_ = errPipe[0];
    }
    setNonBlocking(outFd_);
    if (!terminal_) {
        setNonBlocking(inFd_);
        setNonBlocking(errFd_);
    }
}

ClientProcess::~ClientProcess() {
    if (!status_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    if (terminal_) {
        inFd_ = -1;  // the same descriptor as outFd_
    }
    closeFd(inFd_);
    closeFd(outFd_);
    closeFd(errFd_);
    closeFd(pidFd_);
}

void ClientProcess::send(std::string_view bytes) {
    pendingInput_.append(bytes);
    pump(std::chrono::milliseconds(0));
}

void ClientProcess::closeInput() {
    closeInputWhenDrained_ = true;
    pump(std::chrono::milliseconds(0));
}

void ClientProcess::readInto(int& fd, std::string& into) {
    char buffer[16 * 1024];
    for (;;) {
        const ssize_t count = ::read(fd, buffer, sizeof buffer);
        if (count > 0) {
            into.append(buffer, static_cast<std::size_t>(count));
            continue;
        }
        if (count < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        }
        // EOF, or EIO from a terminal master whose slave side is all closed.
        if (terminal_ && fd == outFd_) {
            inFd_ = -1;
        }
        closeFd(fd);
        return;
    }
}

bool ClientProcess::pump(std::chrono::milliseconds timeout) {
    if (!terminal_ && inFd_ >= 0) {
        while (!pendingInput_.empty()) {
            const ssize_t count = ::write(inFd_, pendingInput_.data(), pendingInput_.size());
            if (count <= 0) {
                if (count < 0 && errno == EPIPE) {
                    pendingInput_.clear();
                    closeFd(inFd_);
                }
                break;
            }
            pendingInput_.erase(0, static_cast<std::size_t>(count));
        }
        if (pendingInput_.empty() && closeInputWhenDrained_) {
            closeFd(inFd_);
        }
    }

    std::vector<pollfd> fds;
    if (outFd_ >= 0) {
        fds.push_back(
            {outFd_,
             static_cast<short>(POLLIN | (terminal_ && !pendingInput_.empty() ? POLLOUT : 0)), 0});
    }
    if (errFd_ >= 0) {
        fds.push_back({errFd_, POLLIN, 0});
    }
    if (!terminal_ && inFd_ >= 0 && !pendingInput_.empty()) {
        fds.push_back({inFd_, POLLOUT, 0});
    }
    if (!status_) {
        fds.push_back({pidFd_, POLLIN, 0});
    }
    if (fds.empty()) {
        return false;
    }
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) {
        fail("poll");
    }
    for (const pollfd& fd : fds) {
        if (fd.revents == 0) {
            continue;
        }
        if (fd.fd == pidFd_) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
        } else if (fd.fd == outFd_) {
            if (terminal_ && (fd.revents & POLLOUT) != 0 && !pendingInput_.empty()) {
                const ssize_t count = ::write(outFd_, pendingInput_.data(), pendingInput_.size());
                if (count > 0) {
                    pendingInput_.erase(0, static_cast<std::size_t>(count));
                }
            }
            if ((fd.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
                readInto(outFd_, out_);
            }
        } else if (fd.fd == errFd_) {
            readInto(errFd_, err_);
        } else if (fd.fd == inFd_ && (fd.revents & (POLLERR | POLLHUP)) != 0) {
            pendingInput_.clear();
            closeFd(inFd_);
        }
    }
    return true;
}

bool ClientProcess::waitForOutput(std::string_view needle, std::chrono::milliseconds timeout,
                                  std::size_t from) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (out_.size() >= from && out_.find(needle, from) != std::string::npos) {
            return true;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0 || (outFd_ < 0 && status_)) {
            return false;
        }
        if (!pump(left)) {
            return false;
        }
    }
}

std::optional<int> ClientProcess::waitExit(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    // The exit first; then the rest of the output, which the closed pipes end.
    while (!status_ || outFd_ >= 0 || errFd_ >= 0) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return std::nullopt;
        }
        if (!pump(left)) {
            break;
        }
    }
    return status_;
}

ClientRun runClientScript(ClientLaunch launch, std::string_view input,
                          std::chrono::milliseconds timeout) {
    ClientProcess client(std::move(launch));
    client.send(input);
    client.closeInput();
    const std::optional<int> status = client.waitExit(timeout);
    if (!status) {
        throw std::runtime_error("dfp-client did not exit within " +
                                 std::to_string(timeout.count()) + " ms; stdout:\n" +
                                 client.output() + "\nstderr:\n" + client.errors());
    }
    return {*status, client.output(), client.errors()};
}

}  // namespace dfp::test
