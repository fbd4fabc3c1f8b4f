#pragma once

// Session: the DFP/1 state machine of one connection, without the socket (STYLE.md §2).
// The connection feeds it framed lines and upload bytes; it writes replies into a ReplySink
// and says what the connection must do next. Tests drive it directly.
//
// Thread-safety: none needed. A Session belongs to its connection's thread; what it shares
// (the store, the registry, the config) is thread-safe or immutable.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/commands.h"
#include "protocol/line_splitter.h"
#include "protocol/reply.h"
#include "protocol/request.h"
#include "server/login_throttle.h"
#include "server/server_config.h"
#include "server/session_registry.h"
#include "storage/forum_store.h"

namespace dfp::server {

// Where replies go. The connection's sink writes to the socket (and throws when the peer is
// gone or too slow); a test's sink collects the bytes.
class DeferredReply;
class ParkingLot;
class ReplyCache;

class ReplySink {
public:
    virtual ~ReplySink() = default;
    virtual void write(std::string_view bytes) = 0;
    // Writes the next `size` bytes of `file` (DWN's body). This one reads them through a
    // buffer into write(); a sink on a plain socket sends them from the file directly.
    // Throws if the file ends before `size` bytes: the body's length is already promised.
    virtual void writeFile(storage::FileReader& file, std::uint64_t size);
    // For a reply finished on another thread (DeferredReply): sends what is buffered, and
    // returns the plain TCP socket a reply may go to directly from there; -1 (the default)
    // when there is none (TLS, tests), and the session replies itself.
    virtual int handOffFd() { return -1; }
    // The session is about to wait for long (a password hash, a file transfer that lasts as
    // long as the peer takes). A sink whose thread also serves other sessions makes way first
    // (ParkingLot::compensate()); the default does nothing.
    virtual void aboutToWait() {}
};

// What writeFile throws when a stored file ends before its recorded size.
std::string fileShorterThanRecord(const storage::FileInfo& info);

// What the connection does after a reply.
struct Next {
    enum class Action {
        Continue,       // read the next request
        ReceiveUpload,  // read exactly uploadBytes raw bytes into receiveUpload(), then
                        // finishUpload()
        Close,          // close the connection (XIT, 429, SHT accepted)
    };
    Action action = Action::Continue;
    std::uint64_t uploadBytes = 0;
};

// Shared by every session of a server.
struct ServerContext {
    const ServerConfig& config;
    storage::ForumStore& store;
    SessionRegistry& registry;
    LoginThrottle& throttle;
    ReplyCache* replies = nullptr;  // null: every RDT reads the store
    ParkingLot* parking = nullptr;  // null: every session waits on a thread of its own
};

class Session {
public:
    enum class State { AwaitUser, AwaitPass, Ready, Receiving, Closing };

    // peerAddress (the client's IP) keys the login throttle; empty in tests that don't care.
    explicit Session(ServerContext& context, std::string peerAddress = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // One framed request line (or a too-long one). Writes exactly one reply (with its body), or
    // leaves it pending with the store's writer thread (MSG, when out has a handOffFd()):
    // settle() before anything else is written.
    Next handle(const protocol::LineEvent& event, ReplySink& out);
    // Waits for a pending reply and writes to out what the writer thread handed back, if
    // anything; rethrows the exception the write ended with. Nothing to do when none is
    // pending.
    void settle(ReplySink& out);
    // While a reply is pending: a descriptor that becomes readable when settle() has work to
    // do (poll it beside the socket); else -1.
    int pendingWakeFd() const;
    // The writer thread handed the pending reply back: settle() writes it without waiting.
    bool replyHandedBack() const;

    // Upload bytes after 340, in pieces; the connection sends exactly uploadBytes in total.
    void receiveUpload(std::string_view bytes);
    // After the last byte: commits and writes the final reply (201, or 400/404/409/507).
    Next finishUpload(ReplySink& out);
    // The connection ended or the server is stopping mid-upload: nothing of it is stored.
    void abandonUpload();

    State state() const { return state_; }
    const std::string& user() const { return user_; }  // empty until logged in
    // Why the session asked to close, for the log ("xit", "too-many-failures", "shutdown").
    const std::string& closeReason() const { return closeReason_; }

private:
    using Handler = Next (Session::*)(const protocol::Request&, ReplySink&);
    // MSG's reply left to the writer thread; false if it cannot be (no eventfd to be had).
    bool postLater(const std::string& title, const std::string& text, int socketFd);
    // The session's DeferredReply, made at its first use; null if it cannot be made.
    DeferredReply* deferredReply(int socketFd);
    static Handler handlerFor(protocol::Verb verb);

    Next reply(ReplySink& out, protocol::Reply reply);
    Next refuse(ReplySink& out, protocol::Code code, std::string text);
    Next storeRefusal(ReplySink& out, storage::StoreError error);
    Next close(std::string reason) {
        state_ = State::Closing;
        closeReason_ = std::move(reason);
        return {Next::Action::Close, 0};
    }
    // A failed PASS or SHT; the Nth (config.maxFailedLogins) is answered 429 and closes.
    Next loginFailure(ReplySink& out, protocol::Code code, std::string text);

    // auth_handlers.cpp
    Next startLogin(const protocol::Request& request, ReplySink& out);
    Next finishLogin(const protocol::Request& request, ReplySink& out);
    Next shutdownServer(const protocol::Request& request, ReplySink& out);
    // session_handlers.cpp
    Next leave(const protocol::Request& request, ReplySink& out);
    Next ping(const protocol::Request& request, ReplySink& out);
    Next listCapabilities(const protocol::Request& request, ReplySink& out);
    Next listCommands(const protocol::Request& request, ReplySink& out);
    // thread_handlers.cpp
    Next createThread(const protocol::Request& request, ReplySink& out);
    Next listThreads(const protocol::Request& request, ReplySink& out);
    Next readThread(const protocol::Request& request, ReplySink& out);
    Next removeThread(const protocol::Request& request, ReplySink& out);
    // message_handlers.cpp
    Next postMessage(const protocol::Request& request, ReplySink& out);
    Next editMessage(const protocol::Request& request, ReplySink& out);
    Next deleteMessage(const protocol::Request& request, ReplySink& out);
    // file_handlers.cpp
    Next startUpload(const protocol::Request& request, ReplySink& out);
    Next downloadFile(const protocol::Request& request, ReplySink& out);
    Next removeFile(const protocol::Request& request, ReplySink& out);

    ServerContext& context_;
    const std::string peerAddress_;
    State state_ = State::AwaitUser;
    std::string pendingUser_;    // AwaitPass: the name given to USER
    bool pendingIsNew_ = false;  // AwaitPass: USER answered 332
    std::string user_;           // as first registered, once logged in
    std::unique_ptr<LoginTicket> ticket_;
    int failures_ = 0;
    std::string closeReason_;
    // Made at the first MSG whose reply is left to the writer thread; its destructor waits
    // for a reply still pending (the callback uses nothing of the session's).
    std::unique_ptr<DeferredReply> deferred_;

    struct PendingUpload {
        std::unique_ptr<storage::Upload> upload;
        std::string fileName;
        std::uint64_t size = 0;
        std::optional<std::string> sha256;
        std::optional<storage::StoreError> failed;  // a write failed; bytes are still consumed
    };
    std::optional<PendingUpload> upload_;
};

}  // namespace dfp::server
