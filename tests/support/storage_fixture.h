#pragma once

// Helpers for the storage unit tests (header-only, so dfp_test_support does not link SQLite):
// a fresh data directory per test, a store opened on it with the cheapest password hashing,
// and raw views of what is on disk, so a test can check that a refused call left no trace.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sodium.h>
#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "storage/sqlite_forum_store.h"
#include "support/temp_dir.h"

namespace dfp::test {

class StoreFixture {
public:
    std::filesystem::path dataDir() const { return temp_.path() / "data"; }
    std::filesystem::path databaseFile() const { return dataDir() / "forum.db"; }
    std::filesystem::path filesDir() const { return dataDir() / "files"; }
    std::filesystem::path tmpDir() const { return dataDir() / "tmp"; }

    storage::StoreOptions options() const {
        storage::StoreOptions options;
        options.dataDir = dataDir();
        options.passwordCost = storage::PasswordCost::Minimum;
        return options;
    }

    std::unique_ptr<storage::ForumStore> open() const { return storage::openForumStore(options()); }
    std::unique_ptr<storage::ForumStore> open(const storage::StoreOptions& options) const {
        return storage::openForumStore(options);
    }
    std::unique_ptr<storage::ForumStore> open(storage::StoreTestHooks hooks) const {
        return storage::openSqliteForumStore(options(), std::move(hooks));
    }

private:
    TempDir temp_;
};

// A store with the user yoda and the thread jedi holding one message of his.
inline std::unique_ptr<storage::ForumStore> openWithOneMessage(const StoreFixture& fixture) {
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("yoda", "pw"));
    BOOST_REQUIRE(store->createThread("jedi", "yoda"));
    BOOST_REQUIRE(store->postMessage("jedi", "yoda", "one"));
    return store;
}

// Runs sql as dfp-admin's moderation does: its own connection, plain SQL, no store code.
inline void execElsewhere(const StoreFixture& fixture, const std::string& sql) {
    SQLite::Database other(fixture.databaseFile(), SQLite::OPEN_READWRITE);
    other.exec(sql);
}

// Names in a directory, sorted; empty if it does not exist.
inline std::vector<std::string> directoryEntries(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    if (!std::filesystem::exists(dir)) {
        return names;
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

inline std::string readWholeFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string sha256Hex(std::string_view bytes) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

// Every row of every table in rowid order, and user_version, as text: two equal dumps mean
// the database holds the same data. Read through a separate read-only connection.
inline std::string dumpDatabase(const std::filesystem::path& databaseFile) {
    SQLite::Database db(databaseFile, SQLite::OPEN_READONLY);
    std::ostringstream out;
    out << "user_version=" << db.execAndGet("PRAGMA user_version").getInt() << "\n";
    std::vector<std::string> tables;
    SQLite::Statement names(db,
                            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
    while (names.executeStep()) {
        tables.push_back(names.getColumn(0).getString());
    }
    for (const std::string& table : tables) {
        out << "[" << table << "]\n";
        // Table names come from the schema itself, not from input.
        SQLite::Statement rows(db, "SELECT * FROM \"" + table + "\" ORDER BY rowid");
        while (rows.executeStep()) {
            for (int i = 0; i < rows.getColumnCount(); ++i) {
                out << (i ? "|" : "")
                    << (rows.isColumnNull(i) ? "NULL" : rows.getColumn(i).getString());
            }
            out << "\n";
        }
    }
    return out.str();
}

// Everything a refused call must leave as it was: the rows and the two blob directories.
struct DiskState {
    std::string database;
    std::vector<std::string> files;
    std::vector<std::string> tmp;
};

inline DiskState diskState(const StoreFixture& fixture) {
    return DiskState{dumpDatabase(fixture.databaseFile()), directoryEntries(fixture.filesDir()),
                     directoryEntries(fixture.tmpDir())};
}

inline void checkUnchanged(const DiskState& before, const StoreFixture& fixture) {
    const DiskState after = diskState(fixture);
    BOOST_CHECK_EQUAL(before.database, after.database);
    BOOST_CHECK_EQUAL_COLLECTIONS(before.files.begin(), before.files.end(), after.files.begin(),
                                  after.files.end());
    BOOST_CHECK_EQUAL_COLLECTIONS(before.tmp.begin(), before.tmp.end(), after.tmp.begin(),
                                  after.tmp.end());
}

struct ThreadView {
    std::uint64_t announced = 0;  // what begin() was told
    bool begun = false;
    std::vector<storage::ThreadEntry> entries;
};

inline storage::StoreResult<ThreadView> readThread(storage::ForumStore& store,
                                                   std::string_view title) {
    ThreadView view;
    auto done = store.readThread(
        title,
        [&](std::uint64_t count) {
            view.begun = true;
            view.announced = count;
        },
        [&](const storage::ThreadEntry& entry) { view.entries.push_back(entry); });
    if (!done) {
        BOOST_CHECK(!view.begun);
        return done.error();
    }
    return view;
}

struct ThreadList {
    std::uint64_t announced = 0;
    std::vector<storage::ThreadInfo> threads;
};

inline ThreadList listThreads(storage::ForumStore& store) {
    ThreadList list;
    store.listThreads([&](std::uint64_t count) { list.announced = count; },
                      [&](const storage::ThreadInfo& info) { list.threads.push_back(info); });
    return list;
}

inline std::string readAll(storage::FileReader& reader, std::size_t chunk = 4096) {
    std::string bytes;
    for (;;) {
        std::string part = reader.read(chunk);
        if (part.empty()) {
            return bytes;
        }
        bytes += part;
    }
}

// "ok", or the description of the error: comparable and printable in BOOST_CHECK_EQUAL,
// e.g. BOOST_CHECK_EQUAL(outcome(result), describe(StoreError::NotAuthor)).
template <typename T>
std::string outcome(const storage::StoreResult<T>& result) {
    return result ? std::string("ok") : std::string(storage::describe(result.error()));
}

// A whole upload: begin, write in chunks, commit.
inline storage::StoreResult<storage::FileInfo> uploadFile(
    storage::ForumStore& store, std::string_view title, std::string_view name,
    std::string_view uploader, std::string_view bytes,
    const std::optional<std::string>& sha256 = std::nullopt) {
    auto upload = store.beginUpload(title, name, uploader, bytes.size());
    if (!upload) {
        return upload.error();
    }
    for (std::size_t at = 0; at < bytes.size(); at += 1000) {
        auto written = (*upload)->write(bytes.substr(at, 1000));
        if (!written) {
            return written.error();
        }
    }
    return (*upload)->commit(sha256);
}

}  // namespace dfp::test
