#include "admin/options.h"

#include <algorithm>
#include <sstream>

namespace dfp::admin {
namespace {

const OptionSpec* findOption(const std::vector<OptionSpec>& options, std::string_view name) {
    const auto found = std::find_if(options.begin(), options.end(),
                                    [&](const OptionSpec& option) { return option.name == name; });
    return found == options.end() ? nullptr : &*found;
}

struct RawOption {
    std::string name;
    std::optional<std::string> value;
};

}  // namespace

std::variant<Invocation, UsageError> parseCommandLine(const std::vector<std::string>& args) {
    Invocation invocation;
    std::vector<std::string> positional;
    std::vector<RawOption> commandOptions;
    bool optionsEnded = false;

    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (optionsEnded || arg.size() < 2 || arg[0] != '-') {
            positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            optionsEnded = true;
            continue;
        }
        if (arg == "-h") {
            invocation.help = true;
            continue;
        }
        if (arg.rfind("--", 0) != 0) {
            return UsageError{"unknown option " + arg};
        }
        RawOption option;
        const std::size_t equals = arg.find('=');
        option.name = arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
        if (equals != std::string::npos) {
            option.value = arg.substr(equals + 1);
        }
        // Which options take a value decides whether the next argument is one; a command's
        // options are only known once the command is, so look the name up in every table.
        const OptionSpec* spec = findOption(globalOptions(), option.name);
        for (const CommandSpec& command : commandTable()) {
            if (spec == nullptr) {
                spec = findOption(command.options, option.name);
            }
        }
        if (spec == nullptr) {
            return UsageError{"unknown option --" + option.name};
        }
        if (spec->value.empty() && option.value) {
            return UsageError{"option --" + option.name + " takes no value"};
        }
        if (!spec->value.empty() && !option.value) {
            if (i + 1 >= args.size()) {
                return UsageError{"option --" + option.name + " needs a value (--" + option.name +
                                  "=" + std::string(spec->value) + ")"};
            }
            option.value = args[++i];
        }

        if (option.name == "data-dir") {
            if (option.value->empty()) {
                return UsageError{"--data-dir needs a directory"};
            }
            invocation.dataDir = *option.value;
        } else if (option.name == "json") {
            invocation.json = true;
        } else if (option.name == "help") {
            invocation.help = true;
        } else if (option.name == "version") {
            invocation.version = true;
        } else {
            commandOptions.push_back(std::move(option));
        }
    }

    if (invocation.help || invocation.version) {
        return invocation;
    }
    if (positional.empty()) {
        return UsageError{"no command given"};
    }
    if (positional.front() == "help") {
        invocation.help = true;
        return invocation;
    }
    invocation.command = findCommand(positional.front());
    if (invocation.command == nullptr) {
        return UsageError{"unknown command '" + positional.front() + "'"};
    }
    const CommandSpec& command = *invocation.command;
    invocation.args.assign(positional.begin() + 1, positional.end());
    const std::string usage = "usage: dfp-admin " + std::string(command.name) +
                              (command.arguments.empty() ? "" : " ") +
                              std::string(command.arguments);
    if (invocation.args.size() < command.minArgs || invocation.args.size() > command.maxArgs) {
        return UsageError{usage};
    }
    for (RawOption& option : commandOptions) {
        if (findOption(command.options, option.name) == nullptr) {
            return UsageError{"option --" + option.name + " does not apply to " +
                              std::string(command.name)};
        }
        invocation.options[option.name] = option.value.value_or("");
    }
    return invocation;
}

std::string usageText() {
    std::ostringstream out;
    out << "usage: dfp-admin [--data-dir=DIR] [--json] COMMAND [ARGS]\n"
           "\n"
           "The operator's tool for a DFP data directory. Read commands open the database\n"
           "read-only and may run beside a live dfp-server; so may backup and moderation.\n"
           "\n"
           "commands:\n";
    auto synopsis = [](const CommandSpec& command) {
        std::string text = std::string(command.name);
        if (!command.arguments.empty()) {
            text += " " + std::string(command.arguments);
        }
        for (const OptionSpec& option : command.options) {
            text += " [--" + std::string(option.name) +
                    (option.value.empty() ? "" : "=" + std::string(option.value)) + "]";
        }
        return text;
    };
    constexpr std::size_t kColumn = 28;
    for (const CommandSpec& command : commandTable()) {
        const std::string text = synopsis(command);
        out << "  " << text;
        if (text.size() < kColumn) {
            out << std::string(kColumn - text.size(), ' ');
        } else {
            out << "\n  " << std::string(kColumn, ' ');
        }
        out << "  " << command.summary << "\n";
    }
    out << "\noptions:\n";
    for (const OptionSpec& option : globalOptions()) {
        const std::string text = "--" + std::string(option.name) +
                                 (option.value.empty() ? "" : "=" + std::string(option.value));
        out << "  " << text << std::string(kColumn > text.size() ? kColumn - text.size() : 1, ' ')
            << "  " << option.help << "\n";
    }
    out << "\ncommand options:\n";
    for (const CommandSpec& command : commandTable()) {
        for (const OptionSpec& option : command.options) {
            const std::string text = "--" + std::string(option.name) +
                                     (option.value.empty() ? "" : "=" + std::string(option.value));
            out << "  " << text
                << std::string(kColumn > text.size() ? kColumn - text.size() : 1, ' ') << "  "
                << command.name << ": " << option.help << "\n";
        }
    }
    out << "\nexit status: 0 done (check: clean), 1 failed, refused or problems found,\n"
           "2 usage error. docs/admin.md has the details.\n";
    return out.str();
}

}  // namespace dfp::admin
