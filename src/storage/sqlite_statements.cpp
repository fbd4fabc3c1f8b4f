#include "storage/sqlite_statements.h"

#include <chrono>

#include <sqlite3.h>

#include "storage/posix_file.h"

namespace dfp::storage {

UnixTime now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void bindText(SQLite::Statement& statement, int index, std::string_view text) {
    statement.bind(index, std::string(text));
}

bool isDatabaseFull(const SQLite::Exception& e) {
    return (e.getErrorCode() & 0xff) == SQLITE_FULL;
}

bool isUniqueViolation(const SQLite::Exception& e) {
    return e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE;
}

std::optional<std::int64_t> findUserId(Connection& connection, std::string_view name) {
    auto query = connection.prepare(kFindUser);
    bindText(*query, 1, name);
    if (!query->executeStep()) {
        return std::nullopt;
    }
    return query->getColumn(0).getInt64();
}

std::optional<ThreadRow> findThread(Connection& connection, std::string_view title) {
    auto query = connection.prepare(kFindThread);
    bindText(*query, 1, title);
    if (!query->executeStep()) {
        return std::nullopt;
    }
    return ThreadRow{query->getColumn(0).getInt64(), query->getColumn(1).getInt64(),
                     query->getColumn(2).getInt64(), query->getColumn(3).getInt64(),
                     query->getColumn(4).getInt64()};
}

std::optional<MessageRow> findMessage(Connection& connection, std::int64_t threadId,
                                      MessageNumber number) {
    auto query = connection.prepare(kFindMessage);
    query->bind(1, threadId);
    query->bind(2, static_cast<std::int64_t>(number));
    if (!query->executeStep()) {
        return std::nullopt;
    }
    return MessageRow{query->getColumn(0).getInt64(), query->getColumn(1).getInt64()};
}

bool fileExists(Connection& connection, std::int64_t threadId, std::string_view name) {
    auto query = connection.prepare(kFileExists);
    query->bind(1, threadId);
    bindText(*query, 2, name);
    return query->executeStep();
}

std::optional<FileRow> findFile(Connection& connection, std::int64_t threadId,
                                std::string_view title, std::string_view name) {
    auto query = connection.prepare(kFindFile);
    query->bind(1, threadId);
    bindText(*query, 2, name);
    if (!query->executeStep()) {
        return std::nullopt;
    }
    FileRow row;
    row.id = query->getColumn(0).getInt64();
    row.uploaderId = query->getColumn(1).getInt64();
    row.blob = query->getColumn(5).getString();
    row.info.thread = std::string(title);
    row.info.name = std::string(name);
    row.info.uploader = query->getColumn(2).getString();
    row.info.size = static_cast<std::uint64_t>(query->getColumn(3).getInt64());
    row.info.sha256 = query->getColumn(4).getString();
    row.info.created = query->getColumn(6).getInt64();
    return row;
}

// Blobs are unlinked only after the commit that dropped their rows (architecture.md): a
// crash in between leaves an orphan blob, which the next owner start removes, never a row
// without its bytes. A failed unlink is left to that same cleanup rather than reported,
// since the removal itself has already succeeded.
void unlinkBlobs(const std::filesystem::path& filesDir, const std::vector<std::string>& blobs) {
    for (const std::string& blob : blobs) {
        (void)unlinkQuietly(filesDir / blob);
    }
}

}  // namespace dfp::storage
