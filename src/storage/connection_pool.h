#pragma once

// Pooled SQLite connections (internal to src/storage).
//
// A SQLite::Database must never be used by two threads at once (SQLiteCpp's rule), so every
// store call leases a connection for its duration and gives it back at the end. Connections
// are created on demand and reused; the pool only ever holds idle ones.
//
// Thread-safety: ConnectionPool is safe to use from any thread. A Connection (and the
// statements it caches) belongs to whoever holds its lease.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace dfp::storage {

struct ConnectionSettings {
    std::filesystem::path databaseFile;
    bool readOnly = false;
    bool synchronousFull = false;  // synchronous=FULL rather than NORMAL (Durability)
    int busyTimeoutMs = 5000;
    std::int64_t maxPageCount = 0;  // 0 = SQLite's default; tests set it to provoke SQLITE_FULL
};

class Connection;

// A statement borrowed from a connection's cache. Resetting it when the borrow ends releases
// the read snapshot a half-stepped SELECT would otherwise keep open.
class CachedStatement {
public:
    CachedStatement(SQLite::Statement& statement, bool& inUse);
    ~CachedStatement();
    CachedStatement(const CachedStatement&) = delete;
    CachedStatement& operator=(const CachedStatement&) = delete;

    SQLite::Statement& operator*() { return *statement_; }
    SQLite::Statement* operator->() { return statement_; }

private:
    SQLite::Statement* statement_;
    bool* inUse_;
};

class Connection {
public:
    explicit Connection(const ConnectionSettings& settings);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    SQLite::Database& db() { return db_; }

    // The prepared statement for sql, prepared on first use and cached by the address of sql,
    // which must therefore have static storage duration (a constant, not a built string).
    // One borrow per statement at a time.
    CachedStatement prepare(const char* sql);

    // False while a transaction is open on the connection.
    bool inAutocommit() const;

private:
    struct Entry {
        std::unique_ptr<SQLite::Statement> statement;
        bool inUse = false;
    };

    SQLite::Database db_;
    std::unordered_map<const char*, Entry> statements_;
};

class ConnectionPool {
public:
    // Returns the connection to the pool when it goes.
    class Lease {
    public:
        Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection);
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;

        Connection& operator*() { return *connection_; }
        Connection* operator->() { return connection_.get(); }

    private:
        ConnectionPool* pool_;
        std::unique_ptr<Connection> connection_;
    };

    explicit ConnectionPool(ConnectionSettings settings);
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // An idle connection, or a new one (opening it may throw SQLite::Exception).
    Lease acquire();

private:
    void release(std::unique_ptr<Connection> connection);

    const ConnectionSettings settings_;
    std::mutex mu_;
    std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
};

}  // namespace dfp::storage
