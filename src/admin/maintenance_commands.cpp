// check, backup, migrate: the health, the copies and the schema of a data directory.

#include <string>

#include "admin/command_support.h"
#include "admin/text_format.h"

namespace dfp::admin {

int runCheck(const Invocation& invocation, AdminIo& io) {
    const storage::CheckReport report = openStore(invocation, StoreAccess::Read)->check();
    const bool clean = report.problems.empty();
    if (invocation.json) {
        auto problems = jsonArray();
        for (const storage::CheckProblem& problem : report.problems) {
            auto object = jsonObject();
            object->set("kind", std::string(storage::describe(problem.kind)));
            object->set("subject", problem.subject);
            object->set("message", problem.message);
            problems->add(object);
        }
        auto document = jsonObject();
        document->set("dataDir", invocation.dataDir.string());
        document->set("clean", clean);
        document->set("filesChecked", static_cast<Poco::UInt64>(report.filesChecked));
        document->set("bytesChecked", static_cast<Poco::UInt64>(report.bytesChecked));
        document->set("problems", problems);
        printJson(io.out, document);
    } else if (clean) {
        io.out << "check: " << invocation.dataDir.string()
               << " is clean: database integrity and foreign keys ok, " << report.filesChecked
               << (report.filesChecked == 1 ? " file" : " files") << " ("
               << formatBytes(report.bytesChecked)
               << ") verified by size and sha256, no orphan blobs, no temp files\n";
    } else {
        for (const storage::CheckProblem& problem : report.problems) {
            io.out << "problem: " << forTerminal(problem.message) << "\n";
        }
        io.out << "check: " << report.problems.size()
               << (report.problems.size() == 1 ? " problem" : " problems") << " in "
               << invocation.dataDir.string() << "\n";
    }
    return clean ? kExitOk : kExitFailure;
}

int runBackup(const Invocation& invocation, AdminIo& io) {
    storage::BackupOptions options;
    options.destination = invocation.args.at(0);
    options.alwaysCopy = invocation.has("copy");
    const storage::BackupReport report =
        openStore(invocation, StoreAccess::ReadAnyAge)->backup(options);
    if (invocation.json) {
        auto document = jsonObject();
        document->set("source", invocation.dataDir.string());
        document->set("destination", options.destination.string());
        document->set("schemaVersion", report.schemaVersion);
        document->set("databaseBytes", static_cast<Poco::UInt64>(report.databaseBytes));
        document->set("files", static_cast<Poco::UInt64>(report.files));
        document->set("fileBytes", static_cast<Poco::UInt64>(report.fileBytes));
        document->set("linked", static_cast<Poco::UInt64>(report.linked));
        document->set("copied", static_cast<Poco::UInt64>(report.copied));
        printJson(io.out, document);
        return kExitOk;
    }
    io.out << "backup of " << invocation.dataDir.string() << " written to "
           << options.destination.string() << ": database at schema version "
           << report.schemaVersion << " (" << formatBytes(report.databaseBytes) << "), "
           << report.files << (report.files == 1 ? " file" : " files") << " ("
           << formatBytes(report.fileBytes) << "; " << report.linked << " hard-linked, "
           << report.copied << " copied)\n";
    return kExitOk;
}

int runMigrate(const Invocation& invocation, AdminIo& io) {
    const bool dryRun = invocation.has("dry-run");
    auto store = openStore(invocation, dryRun ? StoreAccess::ReadAnyAge : StoreAccess::WriteAnyAge);
    const int before = store->schemaVersion();
    const std::vector<storage::Migration> pending = store->pendingMigrations();
    const int after = pending.empty() || dryRun ? before : store->applyPendingMigrations();

    if (invocation.json) {
        auto list = jsonArray();
        for (const storage::Migration& migration : pending) {
            auto object = jsonObject();
            object->set("version", migration.version);
            object->set("name", std::string(migration.name));
            list->add(object);
        }
        auto document = jsonObject();
        document->set("schemaVersion", before);
        document->set("latestSchemaVersion", storage::latestSchemaVersion());
        document->set("pending", list);
        document->set("applied", !dryRun && !pending.empty());
        document->set("schemaVersionNow", after);
        printJson(io.out, document);
        return kExitOk;
    }
    if (pending.empty()) {
        io.out << "schema version " << before << " is up to date; nothing to migrate\n";
        return kExitOk;
    }
    io.out << "schema version " << before << "; pending migrations:\n";
    for (const storage::Migration& migration : pending) {
        io.out << "  " << migration.version << " " << migration.name << "\n";
    }
    if (dryRun) {
        io.out << "dry run: nothing applied\n";
    } else {
        io.out << "applied " << pending.size()
               << (pending.size() == 1 ? " migration" : " migrations") << "; schema version is now "
               << after << "\n";
    }
    return kExitOk;
}

}  // namespace dfp::admin
