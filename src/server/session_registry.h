#pragma once

// SessionRegistry: what every session shares besides the store. Who is logged in (one live
// session per user, protocol.md §3), how many connections are open (the session limit,
// §6), and whether the server is shutting down (§5).
//
// Thread-safety: every method may be called from any thread. The guards (SessionSlot,
// LoginTicket) release what they hold in their destructors, so a session that ends in any way
// (XIT, a dropped connection, an exception) frees its slot and its name at once.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace dfp::server {

class SessionRegistry;

// Holds one of the maxSessions connection slots.
class SessionSlot {
public:
    SessionSlot(SessionRegistry& registry, std::uint64_t id) : registry_(&registry), id_(id) {}
    ~SessionSlot();
    SessionSlot(SessionSlot&& other) noexcept
        : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}
    SessionSlot(const SessionSlot&) = delete;
    SessionSlot& operator=(const SessionSlot&) = delete;
    SessionSlot& operator=(SessionSlot&&) = delete;

    std::uint64_t id() const { return id_; }

private:
    SessionRegistry* registry_;
    std::uint64_t id_;
};

// Marks a user as logged in until destroyed.
class LoginTicket {
public:
    LoginTicket(SessionRegistry& registry, std::string key)
        : registry_(&registry), key_(std::move(key)) {}
    ~LoginTicket();
    LoginTicket(const LoginTicket&) = delete;
    LoginTicket& operator=(const LoginTicket&) = delete;

private:
    SessionRegistry* registry_;
    std::string key_;
};

class SessionRegistry {
public:
    // maxPreLogin bounds the connections not yet logged in (slowloris: they cannot fill
    // every slot); 0 means maxSessions.
    explicit SessionRegistry(unsigned maxSessions, unsigned maxPreLogin = 0);
    ~SessionRegistry();
    SessionRegistry(const SessionRegistry&) = delete;
    SessionRegistry& operator=(const SessionRegistry&) = delete;

    // A slot for a new connection, or nullopt at the session limit (answer 503). abort cuts
    // the connection off (it shuts its socket down, so blocked I/O fails at once); it is
    // called after the drain deadline of a shutdown, or when this connection is the oldest
    // one still not logged in and a new connection needs its pre-login place.
    std::optional<SessionSlot> enter(std::function<void()> abort);

    // The session of this slot has logged in: it no longer counts toward maxPreLogin.
    void markLoggedIn(std::uint64_t id);

    // A ticket for user, or nullopt if that user (in any case) is logged in elsewhere (409).
    std::unique_ptr<LoginTicket> login(std::string_view user);

    // Starts a graceful shutdown: sessions see shuttingDown() at their next response
    // boundary (idle ones within their poll interval), send 600 and close. The callback
    // installed with onShutdownRequested (the application's terminate) runs once.
    void requestShutdown();
    bool shuttingDown() const { return shuttingDown_.load(std::memory_order_acquire); }
    // A descriptor that becomes readable (and stays so) once shutdown is requested, so a
    // session can wait on its socket and on the shutdown in one poll(), without waking up
    // periodically to look at a flag.
    int shutdownFd() const { return wakeRead_; }
    void onShutdownRequested(std::function<void()> callback);

    // Waits until every slot is released or the deadline passes; true if all left.
    bool waitUntilEmpty(std::chrono::steady_clock::time_point deadline);

    unsigned openSessions() const;

    // Calls every session's abort (after the drain deadline of a shutdown). Aborts run
    // under the registry's lock, so they must not block or call back into the registry.
    void abortAll();

private:
    friend class SessionSlot;
    friend class LoginTicket;
    void leave(std::uint64_t id);
    void logout(const std::string& key);

    const unsigned maxSessions_;
    const unsigned maxPreLogin_;
    std::atomic<bool> shuttingDown_{false};
    int wakeRead_ = -1;  // the shutdown pipe; written once, never drained
    int wakeWrite_ = -1;
    mutable std::mutex mu_;
    std::condition_variable emptied_;
    unsigned open_ = 0;                 // guarded by mu_
    std::uint64_t nextId_ = 1;          // guarded by mu_
    std::set<std::string> online_;      // lower-cased user names; guarded by mu_
    std::function<void()> onShutdown_;  // guarded by mu_
    std::map<std::uint64_t, std::function<void()>> aborts_;  // by slot id; guarded by mu_
    std::set<std::uint64_t> preLogin_;  // slots not logged in, oldest first; guarded by mu_
};

}  // namespace dfp::server
