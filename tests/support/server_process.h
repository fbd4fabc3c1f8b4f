#pragma once

// The real dfp-server binary as a child process, for black-box integration tests.
//
// The constructor spawns the server with its stdout and stderr on one pipe. A reader thread
// drains that pipe into a log buffer for the whole life of the child, so the server never
// blocks on a full pipe, and a waiter thread blocks in waitpid() and records the exit status.
// Both signal one condition variable: every wait below is a wait on it with a deadline, never
// a sleep. awaitListening() fails at once, with the log, if the child exits first.
//
// Errors (spawn failure, timeouts, early exit) throw ServerError with the log in the message;
// that is safe from any thread, unlike Boost.Test assertions. The destructor sends SIGKILL if
// the child is still running, reaps it and joins both threads. Not copyable or movable.
// Thread-safety: all methods may be called from any thread.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace dfp::test {

inline constexpr std::chrono::milliseconds kDefaultWait{10'000};
inline constexpr std::chrono::milliseconds kStartupWait{30'000};

class ServerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ServerOptions {
    std::filesystem::path binary;   // the dfp-server executable
    std::filesystem::path dataDir;  // created if missing
    // Written, with one trailing LF (protocol.md §5: not part of the password), to
    // adminPasswordFile, or to "<dataDir>.admin-password" next to the data dir if that is empty.
    std::string adminPassword = "open sesame";
    std::filesystem::path adminPasswordFile;
    std::uint16_t port = 0;  // 0: an ephemeral port, read back from the listening line
    std::vector<std::string> extraArgs;
    // NAME=value entries given to the child on top of (and replacing) the inherited environment.
    std::vector<std::string> environment;
};

struct ExitStatus {
    int raw = 0;  // as from waitpid()

    bool exited() const;
    int exitCode() const;  // meaningful only if exited()
    bool signalled() const;
    int signal() const;  // meaningful only if signalled()
    bool isCleanZero() const { return exited() && exitCode() == 0; }
    std::string describe() const;  // "exit status 0", "killed by signal 9"
};

class ServerProcess {
public:
    explicit ServerProcess(ServerOptions options);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Waits for the `event=listening address=HOST:PORT` line and returns PORT. Throws if the
    // child exits first or the deadline passes.
    // The default is generous because CI machines may be loaded: a server that fails to
    // start is noticed at once anyway (the child's exit wakes the wait).
    std::uint16_t awaitListening(std::chrono::milliseconds timeout = kStartupWait);
    std::uint16_t port() const;  // after awaitListening()

    pid_t pid() const { return pid_; }
    const ServerOptions& options() const { return options_; }
    std::vector<std::string> arguments() const { return argv_; }

    std::string log() const;
    // True once the log holds needle; false if the deadline passes or the pipe closes first.
    bool waitForLog(std::string_view needle,
                    std::chrono::milliseconds timeout = kDefaultWait) const;

    bool running() const;
    void terminate(int signal);  // no-op once the child has been reaped
    // The exit status once the child has exited and all it wrote is in log(); nullopt if it
    // is still running at the deadline.
    std::optional<ExitStatus> waitExit(std::chrono::milliseconds timeout = kDefaultWait) const;
    // As waitExit(), but throws ServerError (with the log) when the deadline passes.
    ExitStatus expectExit(std::chrono::milliseconds timeout = kDefaultWait) const;

private:
    void readLog();
    void waitForChild();
    std::optional<std::uint16_t> findListeningPort() const;  // requires mu_
    std::string describeForError(std::string_view what) const;

    ServerOptions options_;
    std::vector<std::string> argv_;
    pid_t pid_ = -1;
    int logFd_ = -1;
    int wakeRead_ = -1;  // written to by the destructor to stop the reader
    int wakeWrite_ = -1;

    mutable std::mutex mu_;
    mutable std::condition_variable changed_;
    std::string log_;                    // guarded by mu_
    bool logClosed_ = false;             // guarded by mu_
    std::optional<ExitStatus> exit_;     // guarded by mu_
    std::optional<std::uint16_t> port_;  // guarded by mu_

    std::thread reader_;
    std::thread waiter_;
};

}  // namespace dfp::test
