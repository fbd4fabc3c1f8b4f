#pragma once

// Waiting for a file to say something, without sleeping: inotify on its directory wakes the
// wait whenever a file there is created, written, moved or closed, and the file is read again.
// For servers that log to a file instead of the pipe ServerProcess reads.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace dfp::test {

// The whole file, or "" if it does not exist.
std::string readWholeFile(const std::filesystem::path& path);

// True once path contains needle; false when the deadline passes first.
bool waitForFileText(const std::filesystem::path& path, std::string_view needle,
                     std::chrono::milliseconds timeout);

}  // namespace dfp::test
