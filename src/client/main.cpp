// dfp-client: wires the command line and the process environment to runClient().

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "client/client_app.h"
#include "client/options.h"
#include "client/terminal_input.h"

int main(int argc, char** argv) {
    using namespace dfp::client;
    const ParsedOptions parsed = parseOptions(std::vector<std::string>(argv + 1, argv + argc));
    switch (parsed.action) {
        case ParsedOptions::Action::ShowHelp:
            std::cout << usageText();
            return kExitOk;
        case ParsedOptions::Action::ShowVersion:
            std::cout << "dfp-client " << DFP_VERSION << " (DFP/1)\n";
            return kExitOk;
        case ParsedOptions::Action::Error:
            std::cerr << "dfp-client: " << parsed.error << "\n" << usageText();
            return kExitConnection;
        case ParsedOptions::Action::Run:
            break;
    }

    Environment environment;
    if (const char* password = std::getenv("DFP_PASSWORD"); password != nullptr) {
        environment.password = password;
    }
    const char* term = std::getenv("TERM");
    environment.noColor =
        std::getenv("NO_COLOR") != nullptr || (term != nullptr && std::strcmp(term, "dumb") == 0);
    environment.stdinIsTerminal = ::isatty(STDIN_FILENO) == 1;
    environment.stdoutIsTerminal = ::isatty(STDOUT_FILENO) == 1;
    environment.stderrIsTerminal = ::isatty(STDERR_FILENO) == 1;
    if (environment.stdinIsTerminal) {
        environment.historyPath = defaultHistoryPath();
    }
    try {
        return runClient(parsed.options, environment);
    } catch (const std::exception& error) {
        std::cerr << "dfp-client: " << error.what() << "\n";
        return kExitConnection;
    }
}
