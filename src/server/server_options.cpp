#include "server/server_options.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sodium.h>

namespace dfp::server {

namespace {

std::uint64_t readNumber(const Poco::Util::AbstractConfiguration& config, const std::string& key,
                         std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
    if (!config.hasProperty(key)) {
        return fallback;
    }
    const std::string text = config.getString(key);
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
        throw ConfigError(key.substr(4) + " must be a whole number from " + std::to_string(min) +
                          " to " + std::to_string(max) + ", not '" + text + "'");
    }
    return value;
}

bool readFlag(const Poco::Util::AbstractConfiguration& config, const std::string& key,
              bool fallback) {
    if (!config.hasProperty(key)) {
        return fallback;
    }
    if (config.getString(key).empty()) {
        return true;  // a flag given on the command line carries no value
    }
    try {
        return config.getBool(key);
    } catch (const Poco::Exception&) {
        throw ConfigError(key.substr(4) + " must be true or false");
    }
}

}  // namespace

std::string environmentVariableFor(std::string_view setting) {
    std::string name = "DFP_";
    for (char c : setting) {
        name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return name;
}

Poco::AutoPtr<Poco::Util::MapConfiguration> settingsFromEnvironment(
    const std::vector<std::string>& settings, const EnvironmentLookup& lookup) {
    Poco::AutoPtr<Poco::Util::MapConfiguration> found(new Poco::Util::MapConfiguration);
    for (const std::string& setting : settings) {
        const char* value = lookup(environmentVariableFor(setting).c_str());
        if (value != nullptr && *value != '\0') {
            found->setString("dfp." + setting, value);
        }
    }
    return found;
}

ServerConfig readServerConfig(const Poco::Util::AbstractConfiguration& config,
                              const std::vector<std::string>& positional) {
    ServerConfig result;
    if (positional.size() > 2) {
        throw ConfigError(
            "too many arguments; usage: dfp-server [PORT [ADMIN_PASSWORD]] [options]");
    }
    std::uint64_t port = result.port;
    if (!positional.empty()) {
        auto [end, ec] = std::from_chars(positional[0].data(),
                                         positional[0].data() + positional[0].size(), port);
        if (ec != std::errc() || end != positional[0].data() + positional[0].size() ||
            port > 65535) {
            throw ConfigError("PORT must be a number from 0 to 65535, not '" + positional[0] + "'");
        }
    }
    result.port = positional.empty()
                      ? static_cast<std::uint16_t>(readNumber(config, "dfp.port", port, 0, 65535))
                      : static_cast<std::uint16_t>(port);
    result.bindAddress = config.getString("dfp.bind", result.bindAddress);
    result.dataDir = config.getString("dfp.data-dir", result.dataDir.string());
    result.serverName = config.getString("dfp.name", result.serverName);
    if (result.serverName.empty() ||
        result.serverName.find_first_of(" \t\r\n") != std::string::npos) {
        throw ConfigError("name must be one word");
    }
    result.maxSessions = static_cast<unsigned>(
        readNumber(config, "dfp.max-sessions", result.maxSessions, 1, 1'000'000));
    result.maxFileSize = readNumber(config, "dfp.max-file-size", result.maxFileSize, 0, INT64_MAX);
    result.maxLine = readNumber(config, "dfp.max-line", result.maxLine, 64, 1 << 24);
    result.idleTimeout = std::chrono::seconds(
        readNumber(config, "dfp.idle-timeout", result.idleTimeout.count(), 1, 365 * 86400));
    result.ioTimeout = std::chrono::seconds(
        readNumber(config, "dfp.io-timeout", result.ioTimeout.count(), 1, 86400));
    result.drainTimeout = std::chrono::seconds(
        readNumber(config, "dfp.drain-timeout", result.drainTimeout.count(), 1, 3600));
    result.firstLineTimeout = std::chrono::seconds(
        readNumber(config, "dfp.first-line-timeout", result.firstLineTimeout.count(), 1, 86400));
    result.loginTimeout = std::chrono::seconds(
        readNumber(config, "dfp.login-timeout", result.loginTimeout.count(), 1, 86400));
    result.maxPreLoginSessions = static_cast<unsigned>(
        readNumber(config, "dfp.max-prelogin-sessions", result.maxPreLoginSessions, 1, 1'000'000));
    result.loginFailuresPerAddress = static_cast<unsigned>(readNumber(
        config, "dfp.login-failures-per-address", result.loginFailuresPerAddress, 1, 1'000'000));
    result.loginFailuresPerAccount = static_cast<unsigned>(readNumber(
        config, "dfp.login-failures-per-account", result.loginFailuresPerAccount, 1, 1'000'000));
    result.loginThrottleWindow = std::chrono::seconds(readNumber(
        config, "dfp.login-throttle-window", result.loginThrottleWindow.count(), 1, 86400));
    result.registrationOpen = !readFlag(config, "dfp.no-register", false);
    result.readCacheBytes =
        readNumber(config, "dfp.read-cache", result.readCacheBytes, 0, std::uint64_t{1} << 40);
    result.passwordHashThreads = static_cast<unsigned>(
        readNumber(config, "dfp.password-hash-threads", result.passwordHashThreads, 0, 1024));
    result.workers =
        static_cast<unsigned>(readNumber(config, "dfp.workers", result.workers, 0, 1024));

    const std::string cost = config.getString("dfp.password-hash-cost", "interactive");
    if (cost == "interactive") {
        result.passwordCost = storage::PasswordCost::Interactive;
    } else if (cost == "moderate") {
        result.passwordCost = storage::PasswordCost::Moderate;
    } else if (cost == "min") {
        result.passwordCost = storage::PasswordCost::Minimum;
    } else {
        throw ConfigError("password-hash-cost must be interactive, moderate or min");
    }
    const std::string sync = config.getString("dfp.sync", "normal");
    if (sync == "normal") {
        result.durability = storage::Durability::Normal;
    } else if (sync == "full") {
        result.durability = storage::Durability::Full;
    } else {
        throw ConfigError("sync must be normal or full");
    }

    result.logLevel = config.getString("dfp.log-level", result.logLevel);
    if (result.logLevel != "error" && result.logLevel != "warning" &&
        result.logLevel != "information" && result.logLevel != "debug") {
        throw ConfigError("log-level must be error, warning, information or debug");
    }
    result.logFile = config.getString("dfp.log-file", "");
    result.logRotation = config.getString("dfp.log-rotate", result.logRotation);
    result.logKeep =
        static_cast<unsigned>(readNumber(config, "dfp.log-keep", result.logKeep, 1, 1000));
    result.tlsCertFile = config.getString("dfp.tls-cert", "");
    result.tlsKeyFile = config.getString("dfp.tls-key", "");
    if (result.tlsCertFile.empty() != result.tlsKeyFile.empty()) {
        throw ConfigError(
            "tls-cert and tls-key go together: give both to serve TLS, or neither for plain "
            "TCP");
    }
    return result;
}

std::string readPasswordFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError("cannot read admin password file " + path.string() + ": " +
                          std::strerror(errno));
    }
    std::ostringstream content;
    content << in.rdbuf();
    std::string password = content.str();
    if (!password.empty() && password.back() == '\n') {
        password.pop_back();
        if (!password.empty() && password.back() == '\r') {
            password.pop_back();
        }
    }
    if (password.empty()) {
        throw ConfigError("admin password file " + path.string() + " is empty");
    }
    return password;
}

AdminPasswordSource resolveAdminPassword(const AdminPasswordInputs& inputs,
                                         const std::filesystem::path& dataDir) {
    if (inputs.positional && inputs.commandLineFile) {
        throw ConfigError(
            "the admin password is given twice on the command line "
            "(ADMIN_PASSWORD and --admin-password-file); give one");
    }
    if (inputs.positional) {
        if (inputs.positional->empty()) {
            throw ConfigError("ADMIN_PASSWORD must not be empty");
        }
        return {*inputs.positional, "command line"};
    }
    if (inputs.commandLineFile) {
        return {readPasswordFile(*inputs.commandLineFile), "file " + *inputs.commandLineFile};
    }
    if (inputs.environment && inputs.environmentFile) {
        throw ConfigError("both DFP_ADMIN_PASSWORD and DFP_ADMIN_PASSWORD_FILE are set; unset one");
    }
    if (inputs.environment) {
        return {*inputs.environment, "environment DFP_ADMIN_PASSWORD"};
    }
    if (inputs.environmentFile) {
        return {readPasswordFile(*inputs.environmentFile), "file " + *inputs.environmentFile};
    }
    if (inputs.configFile) {
        return {readPasswordFile(*inputs.configFile), "file " + *inputs.configFile};
    }
    const std::filesystem::path kept = dataDir / "admin-password";
    if (std::filesystem::exists(kept)) {
        return {readPasswordFile(kept), "file " + kept.string()};
    }
    // First start with no password given: make one that only the operator can read.
    unsigned char random[18];
    randombytes_buf(random, sizeof random);
    char
        encoded[sodium_base64_ENCODED_LEN(sizeof random, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(encoded, sizeof encoded, random, sizeof random,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    std::string password = encoded;
    int fd = ::open(kept.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw ConfigError("cannot create " + kept.string() + ": " + std::strerror(errno));
    }
    std::string line = password + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        std::filesystem::remove(kept);
        throw ConfigError("cannot write " + kept.string());
    }
    return {password, "generated " + kept.string()};
}

}  // namespace dfp::server
