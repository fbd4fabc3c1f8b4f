#pragma once

// The dfp-client command line (docs/client.md):
//
//   dfp-client [--user=NAME] [--password-file=F] [--out=DIR] [--overwrite] [--no-color]
//              [--timeout=SECONDS] [--tls [--ca-file=F]] [HOST [PORT]]
//
// Pure: takes the arguments after the program name and returns what they ask for, or why they
// cannot be understood. Reading the password file and the environment is the caller's job.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dfp::client {

inline constexpr std::string_view kDefaultHost = "127.0.0.1";
inline constexpr std::uint16_t kDefaultPort = 58000;
inline constexpr std::chrono::seconds kDefaultTimeout{60};

struct ClientOptions {
    std::string host{kDefaultHost};
    std::uint16_t port = kDefaultPort;
    std::optional<std::string> user;
    std::optional<std::string> passwordFile;
    std::string outDir = ".";
    bool overwrite = false;  // DWN may replace an existing file
    bool color = true;
    // How long the server may stay silent while an answer is due before the client gives up.
    std::chrono::seconds timeout = kDefaultTimeout;
    // TLS (protocol.md §9), verified against the system's CAs or only those in caFile.
    bool tls = false;
    std::optional<std::string> caFile;
};

struct ParsedOptions {
    enum class Action { Run, ShowHelp, ShowVersion, Error };
    Action action = Action::Run;
    ClientOptions options;
    std::string error;  // Action::Error: what is wrong, in words
};

ParsedOptions parseOptions(const std::vector<std::string>& args);

// The text of --help.
std::string usageText();

}  // namespace dfp::client
