#include "storage/migration_runner.h"

#include <stdexcept>
#include <string>

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>

namespace dfp::storage {
namespace {

constexpr int kBusyTimeoutMs = 5000;

void checkNumbering(std::span<const Migration> migrations) {
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        if (migrations[i].version != static_cast<int>(i) + 1) {
            throw std::runtime_error("migrations must be numbered 1, 2, 3...: found version " +
                                     std::to_string(migrations[i].version) + " at position " +
                                     std::to_string(i + 1));
        }
    }
}

void checkVersion(int version, int target) {
    if (version < 0) {
        throw std::runtime_error("database schema version " + std::to_string(version) +
                                 " is not one dfp ever wrote");
    }
    if (version > target) {
        throw std::runtime_error("database schema version " + std::to_string(version) +
                                 " is newer than the migrations given (" + std::to_string(target) +
                                 ")");
    }
}

}  // namespace

int readSchemaVersion(SQLite::Database& db) {
    return db.execAndGet("PRAGMA user_version").getInt();
}

int applyMigrations(SQLite::Database& db, std::span<const Migration> migrations) {
    checkNumbering(migrations);
    const int target = migrations.empty() ? 0 : migrations.back().version;
    int version = readSchemaVersion(db);
    checkVersion(version, target);
    while (version < target) {
        SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
        // Another process may have migrated between our read and our write lock; the version
        // read inside the transaction is the one that counts.
        version = readSchemaVersion(db);
        checkVersion(version, target);
        if (version == target) {
            break;
        }
        const Migration& migration = migrations[static_cast<std::size_t>(version)];
        try {
            db.exec(std::string(migration.sql));
            // PRAGMA takes no bound parameters; the value is our own integer, not input.
            db.exec("PRAGMA user_version = " + std::to_string(migration.version));
            transaction.commit();
        } catch (const SQLite::Exception& e) {
            throw std::runtime_error("migration " + std::to_string(migration.version) + " (" +
                                     std::string(migration.name) + ") failed: " + e.what());
        }
        version = migration.version;
    }
    return readSchemaVersion(db);
}

int migrateDatabase(const std::filesystem::path& databaseFile,
                    std::span<const Migration> migrations) {
    SQLite::Database db(databaseFile, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
    // Refuse a newer database before changing anything, as openForumStore does.
    checkNumbering(migrations);
    const int target = migrations.empty() ? 0 : migrations.back().version;
    checkVersion(readSchemaVersion(db), target);
    db.exec("PRAGMA journal_mode = WAL");
    return applyMigrations(db, migrations);
}

}  // namespace dfp::storage
