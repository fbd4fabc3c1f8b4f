#pragma once

// The server's settings, read once at startup and then shared read-only by every session
// (immutable after startup: no locking needed).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "storage/forum_store.h"

namespace dfp::server {

inline constexpr std::uint16_t kDefaultPort = 58000;

struct ServerConfig {
    std::string bindAddress = "127.0.0.1";
    std::uint16_t port = kDefaultPort;
    std::filesystem::path dataDir = "dfp-data";
    std::string adminPassword;
    std::string serverName = "dfp";  // the one-token <server-name> of the greeting
    unsigned maxSessions = 1000;
    std::uint64_t maxFileSize = 1ULL << 30;
    std::size_t maxLine = 8192;
    std::chrono::seconds idleTimeout{1800};
    // A read or write that makes no progress for this long ends the session (protocol.md §6:
    // during a transfer this replaces the idle timeout).
    std::chrono::seconds ioTimeout{60};
    // How long a clean shutdown waits for sessions to finish their response and leave.
    std::chrono::seconds drainTimeout{5};
    // Slowloris defences: a connection must send its first complete request within
    // firstLineTimeout and be logged in within loginTimeout; at most maxPreLoginSessions
    // connections may be waiting to log in (the oldest is dropped for a new one).
    std::chrono::seconds firstLineTimeout{60};
    std::chrono::seconds loginTimeout{120};
    unsigned maxPreLoginSessions = 256;
    // Failed logins across connections (LoginThrottle).
    unsigned loginFailuresPerAddress = 20;
    unsigned loginFailuresPerAccount = 10;
    std::chrono::seconds loginThrottleWindow{300};
    bool registrationOpen = true;
    int maxFailedLogins = 5;
    storage::PasswordCost passwordCost = storage::PasswordCost::Interactive;
    unsigned passwordHashThreads = 0;  // hashes at once; 0 = half the hardware threads
    // The parking lot's workers, which serve plain TCP sessions; 0 = one per hardware thread.
    unsigned workers = 0;
    // Memory for whole RDT and LST replies of unchanged threads and lists (ReplyCache); a
    // reply over readCacheEntryBytes is never kept. 0 turns the cache off.
    std::size_t readCacheBytes = 32 << 20;
    // 256 KiB holds a thread of about 2,000 messages; a bigger reply is streamed each time, and
    // a reply being read is never buffered past this, so memory stays flat for huge threads.
    static constexpr std::size_t readCacheEntryBytes = 256 << 10;
    storage::Durability durability = storage::Durability::Normal;
    // Logging: stderr unless logFile is set; the file rotates at logRotation (Poco
    // FileChannel's syntax: "10 M", "daily", "never") keeping logKeep old files.
    std::string logLevel = "information";
    std::filesystem::path logFile;
    std::string logRotation = "10 M";
    unsigned logKeep = 10;
    // Implicit TLS on the port (protocol.md §9) when both are set; plain TCP when neither is.
    std::filesystem::path tlsCertFile;  // PEM: the certificate, then any intermediates
    std::filesystem::path tlsKeyFile;   // PEM: its private key, not encrypted
    bool tls() const { return !tlsCertFile.empty(); }
};

}  // namespace dfp::server
