#pragma once

// Turns the command line, a properties file and the environment into a ServerConfig
// (docs/operations.md lists every key). Pure: it reads a Poco configuration, no sockets.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <Poco/Util/MapConfiguration.h>

#include "server/server_config.h"

namespace dfp::server {

// A setting that makes no sense; what() names it and says what is expected.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Every setting has three spellings: --data-dir=DIR on the command line, DFP_DATA_DIR in the
// environment, dfp.data-dir in the --config file. The server layers them in that order of
// precedence above the built-in defaults (docs/operations.md).

// The environment variable of a setting: "data-dir" gives "DFP_DATA_DIR".
std::string environmentVariableFor(std::string_view setting);

// The settings the environment gives, as dfp.* keys: one for each of `settings` whose variable
// is set and not empty. lookup is getenv unless a test passes another.
using EnvironmentLookup = std::function<const char*(const char*)>;
Poco::AutoPtr<Poco::Util::MapConfiguration> settingsFromEnvironment(
    const std::vector<std::string>& settings, const EnvironmentLookup& lookup);

// Reads the dfp.* keys of config (all layers merged). positional holds the original form's
// [PORT [ADMIN_PASSWORD]], which are command line too: PORT wins over any dfp.port.
// The admin password is resolved by resolveAdminPassword, after the data dir exists.
ServerConfig readServerConfig(const Poco::Util::AbstractConfiguration& config,
                              const std::vector<std::string>& positional);

struct AdminPasswordSource {
    std::string password;
    std::string origin;  // for the log: "file <path>", "environment", "generated <path>"...
};

// Where the admin password may come from, by the same precedence as every setting.
struct AdminPasswordInputs {
    std::optional<std::string> positional;       // the command line's ADMIN_PASSWORD
    std::optional<std::string> commandLineFile;  // --admin-password-file
    std::optional<std::string> environment;      // DFP_ADMIN_PASSWORD
    std::optional<std::string> environmentFile;  // DFP_ADMIN_PASSWORD_FILE
    std::optional<std::string> configFile;       // dfp.admin-password-file in a --config file
};

// The strongest of the inputs (the command line, then the environment, then the --config
// file); with none, the password kept in <data-dir>/admin-password, generated (mode 0600) on
// first start. Two inputs at the same level (ADMIN_PASSWORD and --admin-password-file) are a
// ConfigError: which one was meant is not ours to guess.
AdminPasswordSource resolveAdminPassword(const AdminPasswordInputs& inputs,
                                         const std::filesystem::path& dataDir);

// The password in a file: its content without one trailing LF or CRLF (protocol.md §5).
std::string readPasswordFile(const std::filesystem::path& path);

}  // namespace dfp::server
