#pragma once

// The one table of dfp-admin's commands: the option parser checks arguments and options
// against it, --help is printed from it, and the app dispatches through it.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dfp::admin {

struct AdminIo;
struct Invocation;

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // refused, not found, problems found, I/O errors
inline constexpr int kExitUsage = 2;    // the command line is wrong

using CommandHandler = int (*)(const Invocation& invocation, AdminIo& io);

struct OptionSpec {
    std::string_view name;   // without the leading "--"
    std::string_view value;  // e.g. "PORT"; empty for a flag
    std::string_view help;
};

struct CommandSpec {
    std::string_view name;
    std::string_view arguments;  // as shown in the usage, e.g. "TITLE N"
    std::size_t minArgs;
    std::size_t maxArgs;
    std::vector<OptionSpec> options;
    std::string_view summary;
    CommandHandler run;
};

// Every command, in the order --help lists them.
const std::vector<CommandSpec>& commandTable();
const CommandSpec* findCommand(std::string_view name);

// The options that come before (or anywhere around) the command.
const std::vector<OptionSpec>& globalOptions();

// The command line, parsed and checked against the table.
struct Invocation {
    std::filesystem::path dataDir = "dfp-data";
    bool json = false;
    bool help = false;  // --help, or the help command: print the usage and exit 0
    bool version = false;
    const CommandSpec* command = nullptr;                     // set unless help or version
    std::vector<std::string> args;                            // positional, after the command
    std::map<std::string, std::string, std::less<>> options;  // the command's options given

    bool has(std::string_view option) const { return options.count(option) != 0; }
    std::optional<std::string> option(std::string_view name) const;
};

}  // namespace dfp::admin
