#include "client/console.h"

#include <cstdio>

namespace dfp::client {
namespace {

constexpr const char* kRed = "\033[31m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kReset = "\033[0m";

}  // namespace

void Console::result(const std::vector<std::string>& lines) const {
    for (const std::string& line : lines) {
        std::fputs(line.c_str(), stdout);
        std::fputc('\n', stdout);
    }
    std::fflush(stdout);
}

void Console::refusal(const std::string& text) const {
    std::fflush(stdout);
    std::fprintf(stderr, "%s%s%s\n", color_ ? kRed : "", text.c_str(), color_ ? kReset : "");
    std::fflush(stderr);
}

void Console::notice(const std::string& text) const {
    std::fflush(stdout);
    std::fprintf(stderr, "%s%s%s\n", color_ ? kYellow : "", text.c_str(), color_ ? kReset : "");
    std::fflush(stderr);
}

}  // namespace dfp::client
