#pragma once

// Schema migrations: migrations/NNNN_name.sql, embedded at build time
// (cmake/EmbedMigrations.cmake), applied in order, each in one transaction, tracked with
// PRAGMA user_version.

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

}  // namespace dfp::storage
