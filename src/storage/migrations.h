#pragma once

// Schema migrations: migrations/NNNN_name.sql, embedded at build time
// (cmake/EmbedMigrations.cmake), applied in order, each in one transaction, tracked with
// PRAGMA user_version.

#include <filesystem>
#include <span>
#include <string_view>

namespace dfp::storage {

struct Migration {
    int version;  // 1, 2, 3... without gaps
    std::string_view name;
    std::string_view sql;
};

// Every migration this program knows, in order.
std::span<const Migration> embeddedMigrations();

inline int latestSchemaVersion() {
    auto all = embeddedMigrations();
    return all.empty() ? 0 : all.back().version;
}

// Opens (creating if need be) the database file and applies those of the given migrations
// that are newer than its PRAGMA user_version, each in its own transaction together with its
// new user_version; returns the version reached. migrations must be numbered 1, 2, 3...
// from the first (e.g. a prefix of embeddedMigrations(), which is how tests build a database
// as an older release left it). Throws std::runtime_error if the database is newer than the
// last migration given or a migration fails (that migration then leaves no trace).
// openForumStore runs this itself; tools call it to migrate without opening a store.
int migrateDatabase(const std::filesystem::path& databaseFile,
                    std::span<const Migration> migrations);

}  // namespace dfp::storage
