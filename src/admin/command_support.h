#pragma once

// What the command handlers share (internal to src/admin): opening the store the way a
// command needs it, reporting a failure, and JSON output.

#include <memory>
#include <ostream>
#include <string_view>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "admin/admin_app.h"
#include "admin/commands.h"
#include "storage/admin_store.h"

namespace dfp::admin {

enum class StoreAccess {
    Read,         // read-only, current schema: the read commands and check
    ReadAnyAge,   // read-only, pending migrations allowed: backup, migrate --dry-run
    Write,        // read-write, current schema: moderation and reset-password
    WriteAnyAge,  // read-write, pending migrations allowed: migrate
};

// Throws storage::StoreOpenError (one line for the operator) if it cannot be opened.
std::unique_ptr<storage::AdminStore> openStore(
    const Invocation& invocation, StoreAccess access,
    storage::PasswordCost passwordCost = storage::PasswordCost::Interactive);

// Writes "dfp-admin: <message>" to io.err and returns kExitFailure.
int fail(AdminIo& io, std::string_view message);
// Writes "dfp-admin: <message>" to io.err and returns kExitUsage.
int usageFailure(AdminIo& io, std::string_view message);

// An object whose keys print in the order they were set.
Poco::JSON::Object::Ptr jsonObject();
Poco::JSON::Array::Ptr jsonArray();
// The document on one line, then a newline.
void printJson(std::ostream& out, const Poco::JSON::Object::Ptr& document);

// The handlers of the command table, one per command.
int runStats(const Invocation& invocation, AdminIo& io);
int runUsers(const Invocation& invocation, AdminIo& io);
int runThreads(const Invocation& invocation, AdminIo& io);
int runShow(const Invocation& invocation, AdminIo& io);
int runFiles(const Invocation& invocation, AdminIo& io);
int runCheck(const Invocation& invocation, AdminIo& io);
int runBackup(const Invocation& invocation, AdminIo& io);
int runMigrate(const Invocation& invocation, AdminIo& io);
int runRemoveThread(const Invocation& invocation, AdminIo& io);
int runRemoveMessage(const Invocation& invocation, AdminIo& io);
int runRemoveFile(const Invocation& invocation, AdminIo& io);
int runResetPassword(const Invocation& invocation, AdminIo& io);
int runShutdown(const Invocation& invocation, AdminIo& io);

}  // namespace dfp::admin
