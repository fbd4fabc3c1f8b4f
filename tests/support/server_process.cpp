#include "support/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>

extern char** environ;

namespace dfp::test {

namespace {

// Enough of the log to see why a start failed, without drowning the report in session lines.
constexpr std::size_t kLogTailForErrors = 16 * 1024;

std::string errnoText(int error) {
    return std::error_code(error, std::generic_category()).message();
}

void closeIfOpen(int& fd) {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

}  // namespace

bool ExitStatus::exited() const {
    return raw != -1 && WIFEXITED(raw);
}
int ExitStatus::exitCode() const {
    return WEXITSTATUS(raw);
}
bool ExitStatus::signalled() const {
    return raw != -1 && WIFSIGNALED(raw);
}
int ExitStatus::signal() const {
    return WTERMSIG(raw);
}

std::string ExitStatus::describe() const {
    if (exited()) {
        return "exit status " + std::to_string(exitCode());
    }
    if (signalled()) {
        return "killed by signal " + std::to_string(signal()) + " (" + strsignal(signal()) + ")";
    }
    return "unknown exit (waitpid failed)";
}

ServerProcess::ServerProcess(ServerOptions options) : options_(std::move(options)) {
    if (options_.binary.empty()) {
        throw ServerError("ServerProcess: no server binary given");
    }
    std::filesystem::create_directories(options_.dataDir);
    if (options_.adminPasswordFile.empty()) {
        options_.adminPasswordFile = options_.dataDir.string() + ".admin-password";
    }
    {
        std::ofstream file(options_.adminPasswordFile, std::ios::binary | std::ios::trunc);
        file << options_.adminPassword << '\n';
        if (!file) {
            throw ServerError("cannot write " + options_.adminPasswordFile.string());
        }
    }

    argv_ = {options_.binary.string(),
             "--port=" + std::to_string(options_.port),
             "--bind=127.0.0.1",
             "--data-dir=" + options_.dataDir.string(),
             "--admin-password-file=" + options_.adminPasswordFile.string(),
             "--password-hash-cost=min"};
    argv_.insert(argv_.end(), options_.extraArgs.begin(), options_.extraArgs.end());

    // O_CLOEXEC everywhere: a server started later must not inherit this server's pipe (or the
    // tests' sockets), or EOF would never come.
    int logPipe[2];
    if (::pipe2(logPipe, O_CLOEXEC) != 0) {
        throw ServerError("pipe2: " + errnoText(errno));
    }
    int wakePipe[2];
    if (::pipe2(wakePipe, O_CLOEXEC) != 0) {
        const int error = errno;
        ::close(logPipe[0]);
        ::close(logPipe[1]);
        throw ServerError("pipe2: " + errnoText(error));
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, logPipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, logPipe[1], STDERR_FILENO);

    // The child starts with no blocked signals and default dispositions whatever the test
    // runner or the spawning thread had set, so SIGTERM/SIGINT reach the server's own handling.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT}) {
        sigaddset(&defaults, signal);
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    for (std::string& argument : argv_) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);

    // glibc's allocator without its per-thread caches, and with freed memory scribbled over,
    // checks every free() it is given: a heap misuse (a double release at exit once hid in
    // Poco's option bindings) then ends the server with SIGABRT, which the tests' check of a
    // clean exit reports, instead of passing unseen. A test's own GLIBC_TUNABLES wins.
    std::vector<std::string> extras = {
        "GLIBC_TUNABLES=glibc.malloc.tcache_count=0:"
        "glibc.malloc.perturb=165"};
    extras.insert(extras.end(), options_.environment.begin(), options_.environment.end());
    const auto nameOf = [](std::string_view entry) { return entry.substr(0, entry.find('=') + 1); };
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        environment.emplace_back(*entry);
    }
    for (const std::string& extra : extras) {
        std::erase_if(environment,
                      [&](const std::string& entry) { return nameOf(entry) == nameOf(extra); });
        environment.push_back(extra);
    }
    std::vector<char*> envp;
    for (std::string& entry : environment) {
        envp.push_back(entry.data());
    }
    envp.push_back(nullptr);

    const int rc = ::posix_spawn(&pid_, argv_.front().c_str(), &actions, &attributes, argv.data(),
                                 envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(logPipe[1]);
    if (rc != 0) {
        ::close(logPipe[0]);
        ::close(wakePipe[0]);
        ::close(wakePipe[1]);
        throw ServerError("cannot start " + argv_.front() + ": " + errnoText(rc));
    }
    logFd_ = logPipe[0];
    wakeRead_ = wakePipe[0];
    wakeWrite_ = wakePipe[1];

    reader_ = std::thread([this] { readLog(); });
    waiter_ = std::thread([this] { waitForChild(); });
}

ServerProcess::~ServerProcess() {
    {
        std::lock_guard lock(mu_);
        if (!exit_) {
            ::kill(pid_, SIGKILL);
        }
    }
    waiter_.join();
    // Normally the pipe reaches EOF when the child dies; the wake-up covers a descendant that
    // still holds it open.
    const char byte = 'x';
    [[maybe_unused]] const ssize_t written = ::write(wakeWrite_, &byte, 1);
    reader_.join();
    closeIfOpen(logFd_);
    closeIfOpen(wakeRead_);
    closeIfOpen(wakeWrite_);
}

void ServerProcess::readLog() {
    char buffer[64 * 1024];
    pollfd fds[2] = {{logFd_, POLLIN, 0}, {wakeRead_, POLLIN, 0}};
    bool stopping = false;
    for (;;) {
        // Once told to stop, drain what is already in the pipe and no more.
        const int ready = ::poll(fds, stopping ? 1 : 2, stopping ? 0 : -1);
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (!stopping && (fds[1].revents & POLLIN) != 0) {
            stopping = true;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const ssize_t got = ::read(logFd_, buffer, sizeof buffer);
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got <= 0) {
                break;
            }
            {
                std::lock_guard lock(mu_);
                log_.append(buffer, static_cast<std::size_t>(got));
            }
            changed_.notify_all();
            continue;
        }
        if (stopping) {
            break;
        }
    }
    {
        std::lock_guard lock(mu_);
        logClosed_ = true;
    }
    changed_.notify_all();
}

void ServerProcess::waitForChild() {
    int status = 0;
    pid_t reaped;
    do {
        reaped = ::waitpid(pid_, &status, 0);
    } while (reaped < 0 && errno == EINTR);
    {
        std::lock_guard lock(mu_);
        exit_ = ExitStatus{reaped == pid_ ? status : -1};
    }
    changed_.notify_all();
}

std::optional<std::uint16_t> ServerProcess::findListeningPort() const {
    // Only complete lines: a half-written port number must not be read as a whole one.
    static constexpr std::string_view kEvent = "event=listening";
    static constexpr std::string_view kAddress = "address=";
    for (std::size_t at = log_.find(kEvent); at != std::string::npos;
         at = log_.find(kEvent, at + 1)) {
        const std::size_t lineStart =
            log_.rfind('\n', at) == std::string::npos ? 0 : log_.rfind('\n', at) + 1;
        const std::size_t lineEnd = log_.find('\n', at);
        if (lineEnd == std::string::npos) {
            return std::nullopt;
        }
        const std::string_view line(log_.data() + lineStart, lineEnd - lineStart);
        const std::size_t address = line.find(kAddress);
        if (address == std::string_view::npos) {
            continue;
        }
        std::string_view value = line.substr(address + kAddress.size());
        value = value.substr(0, value.find_first_of(" \t\r"));
        const std::size_t colon = value.rfind(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        const std::string_view digits = value.substr(colon + 1);
        unsigned port = 0;
        const auto [end, error] =
            std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (error == std::errc() && end == digits.data() + digits.size() && port > 0 &&
            port <= 65535) {
            return static_cast<std::uint16_t>(port);
        }
    }
    return std::nullopt;
}

std::uint16_t ServerProcess::awaitListening(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    changed_.wait_until(lock, std::chrono::steady_clock::now() + timeout, [this] {
        return findListeningPort().has_value() || (exit_.has_value() && logClosed_);
    });
    if (const auto port = findListeningPort()) {
        port_ = port;
        return *port;
    }
    const bool exited = exit_.has_value();
    lock.unlock();
    if (exited) {
        throw ServerError(describeForError("exited before printing event=listening"));
    }
    throw ServerError(describeForError("did not print event=listening address=...:PORT within " +
                                       std::to_string(timeout.count()) + " ms"));
}

std::uint16_t ServerProcess::port() const {
    std::lock_guard lock(mu_);
    if (!port_) {
        throw ServerError("ServerProcess::port() before awaitListening()");
    }
    return *port_;
}

std::string ServerProcess::log() const {
    std::lock_guard lock(mu_);
    return log_;
}

bool ServerProcess::waitForLog(std::string_view needle, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    changed_.wait_until(lock, std::chrono::steady_clock::now() + timeout,
                        [&] { return log_.find(needle) != std::string::npos || logClosed_; });
    return log_.find(needle) != std::string::npos;
}

bool ServerProcess::running() const {
    std::lock_guard lock(mu_);
    return !exit_.has_value();
}

void ServerProcess::terminate(int signal) {
    // Under mu_ so that the waiter cannot record the exit in between; the pid stays ours
    // until waitpid() has reaped it.
    std::lock_guard lock(mu_);
    if (!exit_) {
        ::kill(pid_, signal);
    }
}

std::optional<ExitStatus> ServerProcess::waitExit(std::chrono::milliseconds timeout) const {
    // Also until the reader has drained the pipe to its end: the child can be reaped before
    // its last lines have been read, and a test reads log() right after the exit.
    std::unique_lock lock(mu_);
    changed_.wait_until(lock, std::chrono::steady_clock::now() + timeout,
                        [this] { return exit_.has_value() && logClosed_; });
    return exit_;
}

ExitStatus ServerProcess::expectExit(std::chrono::milliseconds timeout) const {
    if (const auto status = waitExit(timeout)) {
        return *status;
    }
    throw ServerError(
        describeForError("did not exit within " + std::to_string(timeout.count()) + " ms"));
}

std::string ServerProcess::describeForError(std::string_view what) const {
    std::string message = "dfp-server (pid " + std::to_string(pid_) + ") " + std::string(what);
    std::string tail;
    {
        std::lock_guard lock(mu_);
        if (exit_) {
            message += " (" + exit_->describe() + ")";
        }
        tail = log_.size() > kLogTailForErrors
                   ? "...\n" + log_.substr(log_.size() - kLogTailForErrors)
                   : log_;
    }
    message += "\ncommand line:";
    for (const std::string& argument : argv_) {
        message += ' ' + argument;
    }
    message += "\nserver log:\n" + (tail.empty() ? std::string("(empty)") : tail);
    return message;
}

}  // namespace dfp::test
