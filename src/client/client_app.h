#pragma once

// The client from connect to exit (docs/client.md): logs in, then reads commands from the
// terminal or a script, runs them through a ClientSession and prints the results. Decides
// the exit status: 0 every command succeeded, 1 some command (or the login) was refused,
// 2 the connection failed or ended (600/601, the server vanished), 130 interrupted.

#include <optional>
#include <string>

#include "client/options.h"

namespace dfp::client {

// What the app takes from the process around it; main() fills it in, tests may fake it.
struct Environment {
    std::optional<std::string> password;  // DFP_PASSWORD
    std::string historyPath;              // empty: no history file
    bool stdinIsTerminal = false;
    bool stdoutIsTerminal = false;
    bool stderrIsTerminal = false;
    bool noColor = false;  // NO_COLOR set, or TERM=dumb
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitConnection = 2;
inline constexpr int kExitInterrupted = 130;

int runClient(const ClientOptions& options, const Environment& environment);

}  // namespace dfp::client
