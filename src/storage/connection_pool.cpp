#include "storage/connection_pool.h"

#include <cassert>
#include <string>
#include <utility>

#include <sqlite3.h>

namespace dfp::storage {
namespace {

// Beyond this many idle connections the pool closes returned ones instead of keeping them:
// a burst of concurrent calls should not pin its peak number of page caches forever.
constexpr std::size_t kMaxIdleConnections = 32;

int openFlags(const ConnectionSettings& settings) {
    // NOMUTEX: the pool guarantees one thread per connection at a time, so SQLite's own
    // per-connection mutex would only add cost.
    return (settings.readOnly ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE) |
           SQLite::OPEN_NOMUTEX;
}

}  // namespace

CachedStatement::CachedStatement(SQLite::Statement& statement, bool& inUse)
    : statement_(&statement), inUse_(&inUse) {
    assert(!inUse && "a cached statement is borrowed twice");
    *inUse_ = true;
}

CachedStatement::~CachedStatement() {
    statement_->tryReset();
    *inUse_ = false;
}

Connection::Connection(const ConnectionSettings& settings)
    : db_(settings.databaseFile, openFlags(settings), settings.busyTimeoutMs) {
    // foreign_keys and synchronous are per connection, not stored in the file.
    db_.exec("PRAGMA foreign_keys = ON");
    if (!settings.readOnly) {
        db_.exec(settings.synchronousFull ? "PRAGMA synchronous = FULL"
                                          : "PRAGMA synchronous = NORMAL");
    }
    if (settings.maxPageCount > 0) {
        // PRAGMA takes no bound parameters; the value is our own integer.
        db_.exec("PRAGMA max_page_count = " + std::to_string(settings.maxPageCount));
    }
}

CachedStatement Connection::prepare(const char* sql) {
    Entry& entry = statements_[sql];
    if (!entry.statement) {
        entry.statement = std::make_unique<SQLite::Statement>(db_, sql);
    } else {
        entry.statement->tryReset();
        entry.statement->clearBindings();
    }
    return CachedStatement(*entry.statement, entry.inUse);
}

bool Connection::inAutocommit() const {
    return sqlite3_get_autocommit(db_.getHandle()) != 0;
}

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection)
    : pool_(&pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::~Lease() {
    pool_->release(std::move(connection_));
}

ConnectionPool::ConnectionPool(ConnectionSettings settings) : settings_(std::move(settings)) {}

ConnectionPool::Lease ConnectionPool::acquire() {
    {
        std::lock_guard lock(mu_);
        if (!idle_.empty()) {
            std::unique_ptr<Connection> connection = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(connection));
        }
    }
    // Opening runs outside the lock: it touches the file and may wait on busy_timeout.
    return Lease(*this, std::make_unique<Connection>(settings_));
}

void ConnectionPool::release(std::unique_ptr<Connection> connection) {
    // A transaction still open here means a rollback failed; such a connection is not fit
    // for the next caller, so it is closed (which rolls back) rather than reused.
    if (!connection || !connection->inAutocommit()) {
        return;
    }
    {
        std::lock_guard lock(mu_);
        if (idle_.size() < kMaxIdleConnections) {
            idle_.push_back(std::move(connection));
            return;
        }
    }
    // Closing (here, as connection goes) happens outside the lock.
}

}  // namespace dfp::storage
