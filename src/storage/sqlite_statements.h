#pragma once

// The SQL statements of the store and the small row lookups built on them (internal to
// src/storage), shared by SqliteForumStore and SqliteAdminStore so that each statement is
// written once.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include "storage/connection_pool.h"
#include "storage/forum_store.h"

namespace dfp::storage {

// How long a write waits for another process's writer (the server for dfp-admin, dfp-admin
// for the server) before it gives up and throws.
inline constexpr int kBusyTimeoutMs = 5000;

// Every statement of the store. Inline constants have one address in the whole program, so
// the connection's statement cache can key on it; every value is a bound parameter.
inline constexpr char kFindUser[] = "SELECT id, name FROM users WHERE name = ?1";
inline constexpr char kUserPassword[] = "SELECT name, password_hash FROM users WHERE name = ?1";
inline constexpr char kUserNameById[] = "SELECT name FROM users WHERE id = ?1";
inline constexpr char kInsertUser[] =
    "INSERT INTO users (name, password_hash, created) VALUES (?1, ?2, ?3)";
inline constexpr char kFindThread[] =
    "SELECT id, creator_id, next_number, next_seq, version FROM threads WHERE title = ?1";
inline constexpr char kThreadListVersion[] = "SELECT version FROM thread_list";
inline constexpr char kThreadVersion[] = "SELECT id, version FROM threads WHERE title = ?1";
inline constexpr char kThreadById[] = "SELECT title, next_seq FROM threads WHERE id = ?1";
inline constexpr char kInsertThread[] =
    "INSERT INTO threads (title, creator_id, created) VALUES (?1, ?2, ?3)";
inline constexpr char kCountThreads[] = "SELECT COUNT(*) FROM threads";
inline constexpr char kListThreads[] =
    "SELECT t.title, u.name, t.created FROM threads AS t JOIN users AS u ON u.id = t.creator_id"
    " ORDER BY t.id";
inline constexpr char kThreadBlobs[] = "SELECT blob FROM files WHERE thread_id = ?1";
inline constexpr char kDeleteThread[] = "DELETE FROM threads WHERE id = ?1";
inline constexpr char kTakeSeq[] = "UPDATE threads SET next_seq = next_seq + 1 WHERE id = ?1";
inline constexpr char kInsertMessage[] =
    "INSERT INTO messages (thread_id, number, seq, author_id, text, created)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
inline constexpr char kFindMessage[] =
    "SELECT id, author_id FROM messages WHERE thread_id = ?1 AND number = ?2";
inline constexpr char kEditMessage[] = "UPDATE messages SET text = ?2, edited = ?3 WHERE id = ?1";
inline constexpr char kDeleteMessage[] = "DELETE FROM messages WHERE id = ?1";
inline constexpr char kCountEntries[] =
    "SELECT (SELECT COUNT(*) FROM messages WHERE thread_id = ?1)"
    " + (SELECT COUNT(*) FROM files WHERE thread_id = ?1)";
inline constexpr char kFileExists[] = "SELECT 1 FROM files WHERE thread_id = ?1 AND name = ?2";
inline constexpr char kFindFile[] =
    "SELECT f.id, f.uploader_id, u.name, f.size, f.sha256, f.blob, f.created"
    " FROM files AS f JOIN users AS u ON u.id = f.uploader_id"
    " WHERE f.thread_id = ?1 AND f.name = ?2";
inline constexpr char kListFiles[] =
    "SELECT f.name, u.name, f.size, f.sha256, f.created"
    " FROM files AS f JOIN users AS u ON u.id = f.uploader_id"
    " WHERE f.thread_id = ?1 ORDER BY f.seq";
inline constexpr char kInsertFile[] =
    "INSERT INTO files (thread_id, name, seq, uploader_id, size, sha256, blob, created)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
inline constexpr char kDeleteFile[] = "DELETE FROM files WHERE id = ?1";
inline constexpr char kBlobReferenced[] = "SELECT 1 FROM files WHERE blob = ?1";

UnixTime now();

// bind(const std::string&) copies (SQLITE_TRANSIENT) and keeps the length, so embedded
// bytes survive; SQLiteCpp has no string_view overload.
void bindText(SQLite::Statement& statement, int index, std::string_view text);

bool isDatabaseFull(const SQLite::Exception& e);
bool isUniqueViolation(const SQLite::Exception& e);

// users.name is COLLATE NOCASE, so this finds "Yoda" for "yoda" (protocol.md §3).
std::optional<std::int64_t> findUserId(Connection& connection, std::string_view name);

struct ThreadRow {
    std::int64_t id = 0;
    std::int64_t creatorId = 0;
    std::int64_t nextNumber = 0;
    std::int64_t nextSeq = 0;
    std::int64_t version = 0;  // the RDT view's stamp (migration 0004)
};

std::optional<ThreadRow> findThread(Connection& connection, std::string_view title);

struct MessageRow {
    std::int64_t id = 0;
    std::int64_t authorId = 0;
};

std::optional<MessageRow> findMessage(Connection& connection, std::int64_t threadId,
                                      MessageNumber number);

bool fileExists(Connection& connection, std::int64_t threadId, std::string_view name);

struct FileRow {
    std::int64_t id = 0;
    std::int64_t uploaderId = 0;
    std::string blob;
    FileInfo info;
};

std::optional<FileRow> findFile(Connection& connection, std::int64_t threadId,
                                std::string_view title, std::string_view name);

// Unlinks files/<blob> for each blob, after the commit that dropped their rows; never throws.
void unlinkBlobs(const std::filesystem::path& filesDir, const std::vector<std::string>& blobs);

}  // namespace dfp::storage
