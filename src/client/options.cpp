#include "client/options.h"

#include <charconv>
#include <string_view>

namespace dfp::client {
namespace {

constexpr long kMaxTimeoutSeconds = 24 * 3600;

std::optional<long> parseNumber(std::string_view text) {
    long value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return value;
}

ParsedOptions failure(std::string message) {
    ParsedOptions parsed;
    parsed.action = ParsedOptions::Action::Error;
    parsed.error = std::move(message);
    return parsed;
}

}  // namespace

ParsedOptions parseOptions(const std::vector<std::string>& args) {
    ParsedOptions parsed;
    ClientOptions& options = parsed.options;
    std::vector<std::string> positional;
    bool optionsEnded = false;

    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (optionsEnded || arg.size() < 2 || arg.compare(0, 2, "--") != 0) {
            if (!optionsEnded && arg.size() > 1 && arg[0] == '-') {
                if (arg == "-h") {
                    parsed.action = ParsedOptions::Action::ShowHelp;
                    return parsed;
                }
                return failure("unknown option " + arg);
            }
            positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            optionsEnded = true;
            continue;
        }

        // Both --name=value (as Poco and the server take them) and --name value.
        const std::size_t equals = arg.find('=');
        const std::string name =
            arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
        std::optional<std::string> inlineValue;
        if (equals != std::string::npos) {
            inlineValue = arg.substr(equals + 1);
        }
        const auto takeValue = [&]() -> std::optional<std::string> {
            if (inlineValue) {
                return inlineValue;
            }
            if (i + 1 < args.size()) {
                return args[++i];
            }
            return std::nullopt;
        };
        const auto noValue = [&]() { return !inlineValue.has_value(); };

        if (name == "help" && noValue()) {
            parsed.action = ParsedOptions::Action::ShowHelp;
            return parsed;
        }
        if (name == "version" && noValue()) {
            parsed.action = ParsedOptions::Action::ShowVersion;
            return parsed;
        }
        if (name == "no-color" && noValue()) {
            options.color = false;
        } else if (name == "overwrite" && noValue()) {
            options.overwrite = true;
        } else if (name == "tls" && noValue()) {
            options.tls = true;
        } else if (name == "user" || name == "password-file" || name == "out" ||
                   name == "timeout" || name == "ca-file") {
            const std::optional<std::string> value = takeValue();
            if (!value || value->empty()) {
                return failure("--" + name + " needs a value");
            }
            if (name == "user") {
                options.user = *value;
            } else if (name == "password-file") {
                options.passwordFile = *value;
            } else if (name == "out") {
                options.outDir = *value;
            } else if (name == "ca-file") {
                options.caFile = *value;
            } else {
                const std::optional<long> seconds = parseNumber(*value);
                if (!seconds || *seconds < 1 || *seconds > kMaxTimeoutSeconds) {
                    return failure("--timeout wants whole seconds from 1 to 86400, not " + *value);
                }
                options.timeout = std::chrono::seconds(*seconds);
            }
        } else {
            return failure("unknown option --" + name);
        }
    }

    if (options.caFile && !options.tls) {
        return failure("--ca-file is for TLS: add --tls");
    }
    if (positional.size() > 2) {
        return failure("too many arguments: expected at most HOST and PORT");
    }
    if (!positional.empty()) {
        if (positional[0].empty()) {
            return failure("the host must not be empty");
        }
        options.host = positional[0];
    }
    if (positional.size() == 2) {
        const std::optional<long> port = parseNumber(positional[1]);
        if (!port || *port < 1 || *port > 65535) {
            return failure("the port must be a number from 1 to 65535, not " + positional[1]);
        }
        options.port = static_cast<std::uint16_t>(*port);
    }
    return parsed;
}

std::string usageText() {
    return "usage: dfp-client [options] [HOST [PORT]]\n"
           "\n"
           "Connects to a DFP/1 forum server (default 127.0.0.1 58000).\n"
           "\n"
           "options:\n"
           "  --user=NAME           log in as NAME instead of asking\n"
           "  --password-file=F     read the password from F (one trailing newline is\n"
           "                        dropped); DFP_PASSWORD in the environment also works\n"
           "  --out=DIR             save downloads in DIR (default: the current directory)\n"
           "  --overwrite           let DWN replace an existing file (or: DWN t f --force)\n"
           "  --no-color            no colour in the output (so does NO_COLOR=1)\n"
           "  --timeout=SECONDS     give up when the server is silent this long (default 60)\n"
           "  --tls                 speak TLS; the server's certificate must be trusted and\n"
           "                        name HOST, or the client refuses to go on\n"
           "  --ca-file=F           with --tls: trust the CA certificates in F (PEM) instead\n"
           "                        of the system's\n"
           "  --help, --version\n"
           "\n"
           "With stdin not a terminal the client runs a script: the username and the\n"
           "password are its first two lines unless given above, then one command a line.\n"
           "Exit status: 0 all commands succeeded, 1 some were refused, 2 the connection\n"
           "failed or the server shut down or went away.\n";
}

}  // namespace dfp::client
