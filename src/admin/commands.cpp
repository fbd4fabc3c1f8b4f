#include "admin/commands.h"

#include <algorithm>

#include "admin/command_support.h"

namespace dfp::admin {

const std::vector<CommandSpec>& commandTable() {
    static const std::vector<CommandSpec> kCommands = {
        {"stats", "", 0, 0, {}, "counts, sizes, schema version and last activity", runStats},
        {"users", "", 0, 0, {}, "accounts, with what each has created and posted", runUsers},
        {"threads", "", 0, 0, {}, "threads, with their counts and last activity", runThreads},
        {"show",
         "TITLE",
         1,
         1,
         {},
         "one thread: its messages and uploads in posting order",
         runShow},
        {"files", "[TITLE]", 0, 1, {}, "stored files, of one thread or of all", runFiles},
        {"check",
         "",
         0,
         0,
         {},
         "verify the database and every blob; exit 1 naming each problem",
         runCheck},
        {"backup",
         "DEST",
         1,
         1,
         {{"copy", "", "copy blobs even where a hard link would do"}},
         "a consistent copy of the database and its blobs into DEST (new or empty)",
         runBackup},
        {"migrate",
         "",
         0,
         0,
         {{"dry-run", "", "only show the pending migrations"}},
         "show and apply pending schema migrations (the server must be stopped)",
         runMigrate},
        {"remove-thread",
         "TITLE",
         1,
         1,
         {},
         "remove a thread with its messages and files",
         runRemoveThread},
        {"remove-message", "TITLE N", 2, 2, {}, "remove message N of a thread", runRemoveMessage},
        {"remove-file", "TITLE NAME", 2, 2, {}, "remove a file from a thread", runRemoveFile},
        {"reset-password",
         "USER",
         1,
         1,
         {{"password-hash-cost", "COST", "interactive (default), moderate, or min (tests only)"}},
         "set a user's password, read without echo (twice) or as one line from stdin",
         runResetPassword},
        {"shutdown",
         "",
         0,
         0,
         {{"host", "HOST", "the server's address (default 127.0.0.1)"},
          {"port", "PORT", "the server's port (default 58000)"},
          {"admin-password-file", "FILE", "the admin password, without its line end"},
          {"timeout", "SECONDS", "for connecting and each answer (default 10)"},
          {"tls", "", "speak TLS; the certificate must be trusted and name HOST"},
          {"ca-file", "FILE", "with --tls: trust the CA certificates in FILE, not the system's"}},
         "ask a running server to shut down (SHT); exit 0 only on 250",
         runShutdown},
    };
    return kCommands;
}

const CommandSpec* findCommand(std::string_view name) {
    const auto& commands = commandTable();
    const auto found =
        std::find_if(commands.begin(), commands.end(),
                     [&](const CommandSpec& command) { return command.name == name; });
    return found == commands.end() ? nullptr : &*found;
}

const std::vector<OptionSpec>& globalOptions() {
    static const std::vector<OptionSpec> kOptions = {
        {"data-dir", "DIR", "the data directory (default ./dfp-data)"},
        {"json", "", "machine-readable output (one JSON document) on stdout"},
        {"help", "", "this text"},
        {"version", "", "the program's version"},
    };
    return kOptions;
}

std::optional<std::string> Invocation::option(std::string_view name) const {
    const auto found = options.find(name);
    if (found == options.end()) {
        return std::nullopt;
    }
    return found->second;
}

}  // namespace dfp::admin
