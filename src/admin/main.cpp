// dfp-admin: wires the process (arguments, streams, environment, terminal) to runAdmin().

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "admin/admin_app.h"
#include "admin/secret_input.h"

int main(int argc, char** argv) {
    dfp::admin::StdinSecretInput secrets;
    dfp::admin::AdminIo io{std::cout, std::cerr, secrets,
                           [](const std::string& name) -> std::optional<std::string> {
                               const char* value = std::getenv(name.c_str());
                               if (value == nullptr) {
                                   return std::nullopt;
                               }
                               return std::string(value);
                           }};
    const int status = dfp::admin::runAdmin(std::vector<std::string>(argv + 1, argv + argc), io);
    std::cout.flush();
    return std::cout ? status : dfp::admin::kExitFailure;
}
