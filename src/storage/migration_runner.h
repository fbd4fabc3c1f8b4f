#pragma once

// The migration runner over an open connection (internal to src/storage; the SQL-free entry
// point for tools is migrateDatabase in migrations.h).

#include <span>

#include <SQLiteCpp/Database.h>

#include "storage/migrations.h"

namespace dfp::storage {

// PRAGMA user_version: 0 for a new, empty database. Reads only; changes nothing.
int readSchemaVersion(SQLite::Database& db);

// Applies every migration newer than the database's user_version, in order, each in its own
// IMMEDIATE transaction that also sets user_version, so a failed migration leaves the
// database at the previous version. Returns the version reached. Throws std::runtime_error if
// migrations are not numbered 1, 2, 3... or the database is newer than the last of them, and
// rethrows (with the migration named) whatever a failing migration throws.
int applyMigrations(SQLite::Database& db, std::span<const Migration> migrations);

}  // namespace dfp::storage
