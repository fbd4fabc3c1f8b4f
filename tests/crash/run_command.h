#pragma once

// Runs a program to completion with a deadline and collects what it printed (stdout and
// stderr together), for the crash test's calls to dfp-admin. A program still running at the
// deadline is killed, and that is reported as a timeout, never waited for.

#include <chrono>
#include <string>
#include <vector>

namespace dfp::crash {

struct CommandResult {
    bool started = false;  // false: the program could not be run at all (output says why)
    bool timedOut = false;
    int exitCode = -1;  // when it exited normally; -1 if killed by a signal
    std::string output;
};

CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace dfp::crash
