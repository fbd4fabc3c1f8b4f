#pragma once

// The command line of dfp-admin:
//
//   dfp-admin [--data-dir=DIR] [--json] COMMAND [ARGS] [COMMAND OPTIONS]
//
// Options are --name=value or --name value; global options may also follow the command.
// "--" ends the options, so a title that starts with "-" can still be given.

#include <string>
#include <variant>
#include <vector>

#include "admin/commands.h"

namespace dfp::admin {

struct UsageError {
    std::string message;  // one line, without the program name
};

std::variant<Invocation, UsageError> parseCommandLine(const std::vector<std::string>& args);

// The --help text, built from the command table.
std::string usageText();

}  // namespace dfp::admin
