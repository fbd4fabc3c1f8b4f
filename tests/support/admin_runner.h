#pragma once

// The real dfp-admin binary, run to completion on pipes, for the integration tests. Header-only
// because it needs DFP_ADMIN_PATH, which only the test binaries that run it define.

#ifndef DFP_ADMIN_PATH
#error "admin_runner.h needs DFP_ADMIN_PATH (tests/CMakeLists.txt)"
#endif

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/client_process.h"

namespace dfp::test {

// Long enough for a backup or check under the sanitizers on a loaded machine.
inline constexpr std::chrono::milliseconds kAdminDeadline{60'000};

// Runs dfp-admin with args and input as its whole stdin (not a terminal), with
// DFP_ADMIN_PASSWORD unset unless env sets it. Throws if it has not exited by the deadline.
inline ClientRun runAdminBinary(std::vector<std::string> args, std::string_view input = {},
                                std::vector<std::pair<std::string, std::string>> env = {}) {
    ClientLaunch launch;
    launch.binary = DFP_ADMIN_PATH;
    launch.args = std::move(args);
    launch.env = std::move(env);
    launch.unsetEnv = {"DFP_ADMIN_PASSWORD"};
    return runClientScript(std::move(launch), input, kAdminDeadline);
}

inline std::string describeRun(const ClientRun& run) {
    return "exit status " + std::to_string(run.status) + "\nstdout:\n" + run.out + "stderr:\n" +
           run.err;
}

inline std::string dataDirOption(const std::filesystem::path& dataDir) {
    return "--data-dir=" + dataDir.string();
}

}  // namespace dfp::test
