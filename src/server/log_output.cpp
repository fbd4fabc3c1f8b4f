#include "server/log_output.h"

#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>

#include <Poco/ConsoleChannel.h>
#include <Poco/Exception.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

#include "server/server_options.h"

namespace dfp::server {

namespace {

void writeToStderr(const std::string& line) {
    std::string text = line + "\n";
    // One write(2) per line: concurrent sessions' lines do not interleave mid-line.
    [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace

LogFile::LogFile(const std::filesystem::path& path, const std::string& rotation, unsigned keep)
    : file_(new Poco::FileChannel(path.string())) {
    try {
        file_->setProperty(Poco::FileChannel::PROP_ROTATION, rotation);
    } catch (const Poco::Exception&) {
        throw ConfigError(
            "log-rotate must be a size such as '10 M' or '500 K', an age such as "
            "'daily', 'weekly' or '2 hours', or 'never'; not '" +
            rotation + "'");
    }
    file_->setProperty(Poco::FileChannel::PROP_ARCHIVE, "number");
    file_->setProperty(Poco::FileChannel::PROP_PURGECOUNT, std::to_string(keep));
    file_->setProperty(Poco::FileChannel::PROP_TIMES, "utc");
    file_->setProperty(Poco::FileChannel::PROP_FLUSH, "true");
    try {
        file_->open();
    } catch (const Poco::Exception& e) {
        throw ConfigError("cannot open log file " + path.string() + ": " + e.displayText());
    }
}

LogFile::~LogFile() = default;

void LogFile::log(const Poco::Message& message) {
    try {
        file_->log(message);
    } catch (const Poco::Exception& e) {
        writeToStderr(message.getText() + "  [log file unusable: " + e.displayText() + "]");
    }
}

void LogFile::reopen() {
    try {
        file_->close();
        file_->open();
    } catch (const Poco::Exception& e) {
        writeToStderr("event=log-reopen-failed path=\"" + file_->path() + "\" error=\"" +
                      e.displayText() + "\"");
    }
}

Poco::AutoPtr<LogFile> installLogOutput(const ServerConfig& settings) {
    Poco::AutoPtr<LogFile> file;
    Poco::AutoPtr<Poco::Channel> sink;
    if (settings.logFile.empty()) {
        sink = new Poco::ConsoleChannel;
    } else {
        file = new LogFile(settings.logFile, settings.logRotation, settings.logKeep);
        sink = file;
    }
    Poco::AutoPtr<Poco::PatternFormatter> formatter(
        new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, sink));
    // Every logger, including those made before now (Poco::Logger::get caches them).
    Poco::Logger::setChannel("", channel);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(settings.logLevel));
    return file;
}

}  // namespace dfp::server
