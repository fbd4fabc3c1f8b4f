#pragma once

// Turns the command line, a properties file and the environment into a ServerConfig
// (docs/operations.md lists every key). Pure: it reads a Poco configuration, no sockets.

#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Util/AbstractConfiguration.h>

#include "server/server_config.h"

namespace dfp::server {

// A setting that makes no sense; what() names it and says what is expected.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads the dfp.* keys. positional holds the original form's [PORT [ADMIN_PASSWORD]].
// The admin password is resolved by resolveAdminPassword, after the data dir exists.
ServerConfig readServerConfig(const Poco::Util::AbstractConfiguration& config,
                              const std::vector<std::string>& positional);

struct AdminPasswordSource {
    std::string password;
    std::string origin;  // for the log: "file <path>", "environment", "generated <path>"...
};

// --admin-password-file, else the positional ADMIN_PASSWORD, else DFP_ADMIN_PASSWORD, else the
// password kept in <data-dir>/admin-password, generated (mode 0600) on first start.
AdminPasswordSource resolveAdminPassword(const Poco::Util::AbstractConfiguration& config,
                                         const std::vector<std::string>& positional,
                                         const std::filesystem::path& dataDir);

// The password in a file: its content without one trailing LF or CRLF (protocol.md §5).
std::string readPasswordFile(const std::filesystem::path& path);

}  // namespace dfp::server
