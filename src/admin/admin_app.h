#pragma once

// dfp-admin as a function of its command line and its streams, so that tests run it in
// process: parses the arguments (options.h), opens the data directory through
// storage::AdminStore as each command needs it, and writes tables for people or JSON
// (--json) to io.out, errors as one line each to io.err. Returns the exit status:
// kExitOk, kExitFailure or kExitUsage (commands.h). Never throws.

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "admin/commands.h"
#include "admin/secret_input.h"

namespace dfp::admin {

struct AdminIo {
    std::ostream& out;
    std::ostream& err;
    SecretInput& secrets;  // passwords for reset-password and shutdown
    // The process environment (DFP_ADMIN_PASSWORD); nullopt for an unset variable.
    std::function<std::optional<std::string>(const std::string& name)> environment;
};

int runAdmin(const std::vector<std::string>& args, AdminIo& io);

}  // namespace dfp::admin
