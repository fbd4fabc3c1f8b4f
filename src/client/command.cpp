#include "client/command.h"

#include <algorithm>

#include "client/output_path.h"
#include "protocol/request.h"
#include "protocol/validators.h"

namespace dfp::client {
namespace {

using protocol::CommandSpec;
using protocol::Verb;

constexpr std::string_view kForceFlag = "--force";

Command invalid(std::string problem) {
    Command command;
    command.kind = Command::Kind::Invalid;
    command.problem = std::move(problem);
    return command;
}

Command usageProblem(const CommandSpec& spec) {
    return invalid("Usage: " + clientUsage(spec));
}

// The final component of a local path: what the file is called on the server.
std::string finalComponent(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Command upload(const CommandSpec& spec, std::vector<std::string> args) {
    if (args.size() != 2) {
        if (args.size() >= 3) {
            return invalid("Usage: " + clientUsage(spec) +
                           " (the client works out the size and sha256 itself)");
        }
        return usageProblem(spec);
    }
    Command command;
    command.kind = Command::Kind::Upload;
    command.spec = &spec;
    command.title = args[0];
    command.localPath = args[1];
    command.fileName = finalComponent(args[1]);
    if (const protocol::Problem problem = protocol::checkFileName(command.fileName)) {
        return invalid("Cannot upload " + args[1] + ": " + *problem);
    }
    command.args = std::move(args);
    return command;
}

Command download(const CommandSpec& spec, std::vector<std::string> args, bool overwrite) {
    const bool force = args.size() == 3 && args[2] == kForceFlag;
    if (args.size() != 2 && !force) {
        return usageProblem(spec);
    }
    Command command;
    command.kind = Command::Kind::Download;
    command.spec = &spec;
    command.title = args[0];
    command.fileName = args[1];
    command.force = force || overwrite;
    if (const std::optional<std::string> problem = checkOutputName(command.fileName)) {
        return invalid("Cannot save " + command.fileName + ": " + *problem);
    }
    command.wireLine = std::string(spec.name) + " " + command.title + " " + command.fileName;
    command.args = std::move(args);
    return command;
}

}  // namespace

Command translateCommand(std::string_view line, const TranslateContext& context) {
    // A script written on Windows ends its lines in CRLF; the CR is not part of the command.
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    if (std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; })) {
        return Command{};
    }

    const protocol::Request request = protocol::parseRequest(line);
    if (request.spec == nullptr) {
        if (request.verbText.empty()) {  // a line that starts with a TAB, say
            return invalid("Unknown command (HELP lists them)");
        }
        return invalid("Unknown command " + request.verbText + " (HELP lists them)");
    }
    const CommandSpec& spec = *request.spec;
    switch (spec.verb) {
        case Verb::Help:
            if (!request.arityOk) {
                return usageProblem(spec);
            }
            {
                Command command;
                command.kind = Command::Kind::Help;
                command.spec = &spec;
                return command;
            }
        case Verb::User:
        case Verb::Pass:
            return invalid(
                "Already logged in; to log in as someone else, leave with XIT and "
                "start the client again");
        case Verb::Upd:
            return upload(spec, request.args);
        case Verb::Dwn:
            return download(spec, request.args, context.overwrite);
        case Verb::Sht:
            if (request.args.empty() && context.interactive) {
                Command command;
                command.kind = Command::Kind::Request;
                command.spec = &spec;
                command.askSecret = true;
                return command;
            }
            break;
        default:
            break;
    }
    if (!request.arityOk) {
        return usageProblem(spec);
    }

    // The verb in its canonical spelling, then the rest exactly as typed: the last argument
    // of MSG, EDT and SHT keeps its inner and trailing spaces (protocol.md §1).
    const std::size_t verbStart = line.find_first_not_of(' ');
    const std::size_t verbEnd = verbStart + request.verbText.size();
    Command command;
    command.kind = Command::Kind::Request;
    command.spec = &spec;
    command.wireLine = std::string(spec.name) + std::string(line.substr(verbEnd));
    command.args = request.args;
    if (!request.args.empty()) {
        command.title = request.args.front();
    }
    return command;
}

std::string clientUsage(const CommandSpec& spec) {
    switch (spec.verb) {
        case Verb::Upd:
            return "UPD <title> <file>";
        case Verb::Dwn:
            return "DWN <title> <file> [--force]";
        case Verb::Sht:
            return "SHT [<admin-password>]";
        default:
            return std::string(spec.usage);
    }
}

std::vector<std::string> helpLines() {
    std::vector<std::string> lines;
    std::size_t width = 0;
    for (const CommandSpec& spec : protocol::commands()) {
        width = std::max(width, clientUsage(spec).size());
    }
    for (const CommandSpec& spec : protocol::commands()) {
        // Logging in is the client's business, done before the first prompt.
        if (spec.verb == Verb::User || spec.verb == Verb::Pass) {
            continue;
        }
        std::string usage = clientUsage(spec);
        usage.resize(width, ' ');
        std::string summary(spec.summary);
        switch (spec.verb) {
            case Verb::Upd:
                summary = "upload a local file (the client computes its size and sha256)";
                break;
            case Verb::Dwn:
                summary = "download a file into the output directory; --force replaces";
                break;
            case Verb::Sht:
                summary += "; asked for without echo if left out";
                break;
            default:
                break;
        }
        lines.push_back(usage + "  " + summary);
    }
    lines.push_back("Verbs are case-insensitive. Tab completes verbs, thread titles and files.");
    return lines;
}

}  // namespace dfp::client
