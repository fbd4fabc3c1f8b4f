#pragma once

// Where the server's log lines go: stderr by default, or a file that Poco's FileChannel rotates
// by size or age, keeping a bounded number of old files. The file is reopened on SIGHUP so that
// an external logrotate that moved it away is followed (docs/operations.md).

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/FileChannel.h>

#include "server/server_config.h"

namespace dfp::server {

// A FileChannel that never throws into the code that logs: when the file cannot be written
// (disk full, directory gone) the line goes to stderr instead, so a logging problem can
// never end a session or the server.
class LogFile : public Poco::Channel {
public:
    // Throws ConfigError if rotation or the file itself is unusable (so startup can refuse).
    LogFile(const std::filesystem::path& path, const std::string& rotation, unsigned keep);

    void log(const Poco::Message& message) override;
    // Closes the file and opens it again at the same path; reports failure on stderr and
    // keeps logging there until a later reopen succeeds.
    void reopen();

private:
    ~LogFile() override;  // reference-counted (Poco::AutoPtr)

    Poco::AutoPtr<Poco::FileChannel> file_;
};

// Sets the root logger's level and channel from settings: one line per event, UTC timestamps.
// Returns the log file when there is one (for SIGHUP), else null. Throws ConfigError.
Poco::AutoPtr<LogFile> installLogOutput(const ServerConfig& settings);

}  // namespace dfp::server
