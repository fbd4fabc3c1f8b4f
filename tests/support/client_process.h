#pragma once

// The real dfp-client binary as a child process, for black-box integration tests: run on
// pipes (scripted mode, stdin not a terminal) or on a pseudo-terminal (interactive mode).
//
// Single-threaded: output is collected only inside the calls below, each of which polls the
// child's output, its pending input and a pidfd for its exit, up to a deadline. No sleeps.
// The destructor kills a child that is still running and reaps it. Not copyable.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dfp::test {

struct ClientLaunch {
    std::filesystem::path binary;
    std::vector<std::string> args;
    // Set in the child's environment, on top of a copy of ours without unsetEnv.
    std::vector<std::pair<std::string, std::string>> env;
    std::vector<std::string> unsetEnv = {"DFP_PASSWORD", "NO_COLOR"};
    std::filesystem::path workDir;  // empty: ours
    bool terminal = false;          // stdin, stdout and stderr on one pseudo-terminal
    unsigned short columns = 100;
    unsigned short rows = 30;
};

class ClientProcess {
public:
    explicit ClientProcess(ClientLaunch launch);
    ~ClientProcess();
    ClientProcess(const ClientProcess&) = delete;
    ClientProcess& operator=(const ClientProcess&) = delete;

    // Queues bytes for the child's stdin (or the terminal); written as the child reads.
    void send(std::string_view bytes);
    // Closes stdin once queued input is written (pipes only: end of the script).
    void closeInput();

    // Collects output until needle appears in output() after position from, or the timeout
    // passes (false). Returns at once if it is there already.
    bool waitForOutput(std::string_view needle, std::chrono::milliseconds timeout,
                       std::size_t from = 0);
    // Collects output until the child exits and its output ends. The exit status (128 +
    // signal if killed), or nullopt if the timeout passes first.
    std::optional<int> waitExit(std::chrono::milliseconds timeout);

    const std::string& output() const { return out_; }  // stdout, or all the terminal showed
    const std::string& errors() const { return err_; }  // stderr (pipes only)
    pid_t pid() const { return pid_; }
    bool exited() const { return status_.has_value(); }

private:
    // One round of poll() with at most timeout; false once there is nothing left to wait on.
    bool pump(std::chrono::milliseconds timeout);
    void readInto(int& fd, std::string& into);

    pid_t pid_ = -1;
    int pidFd_ = -1;
    int inFd_ = -1;   // our end of the child's stdin; the terminal master when terminal
    int outFd_ = -1;  // our end of the child's stdout; the terminal master when terminal
    int errFd_ = -1;
    bool terminal_ = false;
    bool closeInputWhenDrained_ = false;
    std::string pendingInput_;
    std::string out_;
    std::string err_;
    std::optional<int> status_;
};

struct ClientRun {
    int status = -1;
    std::string out;
    std::string err;
};

// Runs the client on pipes with input as its whole stdin; fails the test (throws) if it
// has not exited within timeout.
ClientRun runClientScript(ClientLaunch launch, std::string_view input,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));

}  // namespace dfp::test
