#include "server/connection.h"

#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketImpl.h>

#include "protocol/line_splitter.h"
#include "server/parking_lot.h"
#include "server/send_now.h"

namespace dfp::server {

using Poco::Net::Socket;
using Poco::Net::StreamSocket;
using Clock = std::chrono::steady_clock;

namespace {

// Request lines are small and most sessions sit idle, so each session keeps only a small
// read buffer; an upload borrows a large one for its duration (10,000 idle sessions must fit
// in memory: docs/performance-history.md).
constexpr std::size_t kReadBuffer = 16 * 1024;
constexpr std::size_t kTransferBuffer = 256 * 1024;
constexpr std::size_t kWriteBuffer = 64 * 1024;
constexpr std::size_t kDirectWrite = 4 * 1024;

const std::string kShutdownNotice = "600 server shutting down\n";
const std::string kIdleNotice = "601 idle timeout, closing\n";
const std::string kFirstLineTimeoutNotice = "601 no request in time, closing\n";
const std::string kLoginTimeoutNotice = "601 not logged in in time, closing\n";

Poco::Timespan toTimespan(std::chrono::microseconds d) {
    return Poco::Timespan(d.count());
}

// Buffers replies and writes them with a send timeout; a peer that stops reading makes
// write() throw Poco::TimeoutException after the I/O timeout instead of holding the thread.
class SocketSink : public ReplySink {
public:
    // plainTcp: not TLS, so bytes may go to the descriptor directly, and a file by sendfile(2).
    SocketSink(StreamSocket& socket, bool plainTcp) : socket_(socket), plainTcp_(plainTcp) {}

    void write(std::string_view bytes) override {
        if (codeOfFirstLine_.empty() && bytes.size() >= 3) {
            codeOfFirstLine_.assign(bytes.substr(0, 3));
        }
        if (buffer_.size() + bytes.size() > kWriteBuffer) {
            flush();
        }
        // A large piece with nothing before it (a whole reply kept by the reply cache) goes
        // out as it is: copying it into the buffer first costs a pass over every byte.
        if (bytes.size() >= kWriteBuffer || (buffer_.empty() && bytes.size() >= kDirectWrite)) {
            sendAll(bytes);
        } else {
            buffer_.append(bytes);
        }
    }

    void flush() {
        sendAll(buffer_);
        buffer_.clear();
    }

    // A parking lot worker makes way for another before the session waits (a no-op on any
    // other thread).
    void aboutToWait() override { ParkingLot::compensate(); }

    int handOffFd() override {
        if (!plainTcp_) {
            return -1;  // TLS: OpenSSL's state is this thread's alone
        }
        flush();
        return socket_.impl()->sockfd();
    }

    // The kernel moves the file's pages to the socket: no read into a buffer, no copy out of
    // it. The socket's send timeout bounds each sendfile as it bounds send.
    void writeFile(storage::FileReader& file, std::uint64_t size) override {
        const int in = file.descriptor();
        if (!plainTcp_ || in < 0) {
            ReplySink::writeFile(file, size);
            return;
        }
        flush();
        const int out = socket_.impl()->sockfd();
        sentOfReply_ = true;
        while (size > 0) {
            const ssize_t sent =
                ::sendfile(out, in, nullptr, std::min<std::uint64_t>(size, kSendfileMax));
            if (sent > 0) {
                size -= static_cast<std::uint64_t>(sent);
            } else if (sent == 0) {
                throw std::runtime_error(fileShorterThanRecord(file.info()));
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw Poco::TimeoutException("peer stopped receiving");
            } else if (errno != EINTR) {
                throw Poco::Net::ConnectionResetException(std::strerror(errno));
            }
        }
    }

    // The code of the first reply written since the last call, for the log. The replies
    // written before it are whole.
    std::string takeCode() {
        replyComplete();
        return std::exchange(codeOfFirstLine_, {});
    }

    // Everything written so far is whole replies (the connection knows where they end).
    void replyComplete() { sentOfReply_ = false; }
    // Part of a reply has gone to the socket and the rest has not: a line written now would
    // land inside it (a download's bytes, a long RDT's body).
    bool midReply() const { return sentOfReply_; }

private:
    void sendAll(std::string_view bytes) {
        sentOfReply_ = sentOfReply_ || !bytes.empty();
        if (plainTcp_ && !bytes.empty()) {
            // What the socket takes now; only a peer that is not reading makes us wait, and a
            // parking lot worker makes way for another before it does.
            const SendNow now = sendNow(socket_.impl()->sockfd(), bytes);
            if (now.error != 0) {
                throw Poco::Net::ConnectionResetException(std::strerror(now.error));
            }
            bytes.remove_prefix(now.sent);
            if (!bytes.empty()) {
                ParkingLot::compensate();
            }
        }
        while (!bytes.empty()) {
            int sent = socket_.sendBytes(
                bytes.data(), static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 30)));
            if (sent <= 0) {
                throw Poco::Net::ConnectionResetException("peer stopped receiving");
            }
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
    }

    static constexpr std::uint64_t kSendfileMax = 1 << 30;

    StreamSocket& socket_;
    const bool plainTcp_;
    bool sentOfReply_ = false;
    std::string buffer_;
    std::string codeOfFirstLine_;
};

void sendQuietly(StreamSocket& socket, const std::string& line) {
    try {
        socket.sendBytes(line.data(), static_cast<int>(line.size()));
    } catch (const Poco::Exception&) {
        // The peer is gone already; there is nobody left to tell.
    }
}

class ConnectionLoop {
public:
    ConnectionLoop(StreamSocket& socket, ServerContext& context, std::uint64_t id,
                   std::string peerHost)
        : socket_(socket),
          context_(context),
          id_(id),
          sink_(socket, !context.config.tls()),
          splitter_(context.config.maxLine),
          session_(context, std::move(peerHost)),
          buffer_(kReadBuffer),
          log_(Poco::Logger::get("dfp.session")) {}

    // Serves the session on this thread until it ends; returns why it ended.
    std::string run() {
        greet();
        for (;;) {
            if (auto reason = serveBuffered()) {
                return *reason;
            }
            Wake wake = waitReadable(deadline() - Clock::now());
            if (wake == Wake::Shutdown) {
                continue;  // answered by serveBuffered()
            }
            if (wake == Wake::Settle) {
                settleHandedBack();
                continue;
            }
            if (wake == Wake::Timeout) {
                if (auto reason = checkDeadlines()) {
                    return *reason;
                }
                continue;
            }
            int n = socket_.receiveBytes(buffer_.data(), static_cast<int>(buffer_.size()));
            if (n <= 0) {
                return "peer-closed";
            }
            lastActivity_ = Clock::now();
            splitter_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
        }
    }

    // Parked sessions (ParkingLot) are served in turns instead, on whichever thread has them:
    // greet() once, then serveArrived() each time something arrives.
    void greet() {
        sink_.write("200 DFP/1 " + context_.config.serverName + " ready\n");
        sink_.flush();
        sink_.takeCode();
        connectedAt_ = lastActivity_ = Clock::now();
    }

    // One turn of a parked session: the reply the writer thread handed back, the bytes that
    // have arrived and the requests they complete, without waiting for more. Returns why the
    // session ended, or nullopt to park it again.
    std::optional<std::string> serveArrived() {
        if (session_.replyHandedBack()) {
            settleHandedBack();
        }
        const ssize_t n =
            ::recv(socket_.impl()->sockfd(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
        if (n == 0) {
            return "peer-closed";
        }
        if (n > 0) {
            lastActivity_ = Clock::now();
            splitter_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return "connection-lost";
        }
        if (auto reason = serveBuffered()) {
            return reason;
        }
        return checkDeadlines();
    }

    // When the session ends unless a request comes before.
    Clock::time_point deadline() const {
        return std::min(lastActivity_ + context_.config.idleTimeout, loginDeadline());
    }

    // The notice for a deadline that has passed, and why the session ends; nullopt if none
    // has.
    std::optional<std::string> checkDeadlines() {
        const auto now = Clock::now();
        if (now >= loginDeadline()) {
            return notify(sawRequest_ ? kLoginTimeoutNotice : kFirstLineTimeoutNotice,
                          sawRequest_ ? "login-timeout" : "first-line-timeout");
        }
        if (now - lastActivity_ >= context_.config.idleTimeout) {
            return notify(kIdleNotice, "idle-timeout");
        }
        return std::nullopt;
    }

    // A parked session's deadline has passed: the notice, and why the session ends.
    std::string timedOut() {
        if (auto reason = checkDeadlines()) {
            return *reason;
        }
        return notify(kIdleNotice, "idle-timeout");
    }

    // The server is shutting down: the notice, and the reason.
    std::string shutDown() { return notify(kShutdownNotice, "shutdown"); }

    int socketFd() const { return socket_.impl()->sockfd(); }
    int pendingWakeFd() const { return session_.pendingWakeFd(); }

    const Session& session() const { return session_; }
    // A reply is partly sent: no other line can be written into the stream now.
    bool midReply() const { return sink_.midReply(); }

private:
    // Until it logs in, a connection must send a whole first request soon, and log in
    // soon after: trickling bytes (slowloris) does not keep a pre-login session alive.
    Clock::time_point loginDeadline() const {
        if (!session_.user().empty()) {
            return Clock::time_point::max();
        }
        return connectedAt_ +
               (sawRequest_ ? context_.config.loginTimeout : context_.config.firstLineTimeout);
    }

    // Serves the complete requests received so far; a reason if the session must end.
    std::optional<std::string> serveBuffered() {
        while (auto event = splitter_.next()) {
            sawRequest_ = true;
            if (auto reason = serve(*event)) {
                return reason;
            }
            if (context_.registry.shuttingDown()) {
                return shutDown();
            }
        }
        if (context_.registry.shuttingDown()) {
            return shutDown();
        }
        return std::nullopt;
    }

    // The writer thread handed a reply back (a refusal, or a socket that was full).
    void settleHandedBack() {
        session_.settle(sink_);
        sink_.flush();
        logReply();
    }

    // One request; a reason if the session must end.
    std::optional<std::string> serve(const protocol::LineEvent& event) {
        session_.settle(sink_);  // the reply before this request's goes first
        Next next = session_.handle(event, sink_);
        if (next.action == Next::Action::ReceiveUpload) {
            if (auto reason = receiveUpload(next.uploadBytes)) {
                return reason;
            }
            next = session_.finishUpload(sink_);
        }
        sink_.flush();
        if (!loggedIn_ && !session_.user().empty()) {
            loggedIn_ = true;
            context_.registry.markLoggedIn(id_);
        }
        logReply();
        if (next.action == Next::Action::Close) {
            return session_.closeReason();
        }
        return std::nullopt;
    }

    // Logs the reply just written: a refusal as a warning, anything else at debug level. A
    // reply left to the writer thread is "later" here (and logged here if it comes back).
    void logReply() {
        std::string code = sink_.takeCode();
        if (!code.empty() && code[0] == '4') {
            log_.warning("event=refused session=%s user=%s code=%s", std::to_string(id_),
                         userForLog(), code);
        } else if (log_.debug()) {
            log_.debug("event=request session=%s user=%s code=%s", std::to_string(id_),
                       userForLog(), code.empty() ? std::string("later") : code);
        }
    }

    // Moves exactly `size` bytes from the connection into the session's upload. Only bytes
    // of the upload are read off the socket, so a request pipelined after them stays framed.
    std::optional<std::string> receiveUpload(std::uint64_t size) {
        sink_.flush();  // the client waits for 340 before it sends anything
        sink_.replyComplete();
        std::uint64_t left = size;
        while (left > 0 && splitter_.bufferedRaw() > 0) {
            std::string bytes = splitter_.takeRaw(
                static_cast<std::size_t>(std::min<std::uint64_t>(left, kTransferBuffer)));
            session_.receiveUpload(bytes);
            left -= bytes.size();
        }
        auto lastProgress = Clock::now();
        std::unique_ptr<char[]> transfer;
        if (left > 0) {
            transfer = std::make_unique_for_overwrite<char[]>(kTransferBuffer);
        }
        while (left > 0) {
            if (context_.registry.shuttingDown()) {
                session_.abandonUpload();
                return notify(kShutdownNotice, "shutdown");
            }
            if (waitReadable(lastProgress + context_.config.ioTimeout - Clock::now()) !=
                Wake::Readable) {
                if (Clock::now() - lastProgress >= context_.config.ioTimeout) {
                    session_.abandonUpload();
                    return "upload-timeout";
                }
                continue;
            }
            auto want = static_cast<int>(std::min<std::uint64_t>(left, kTransferBuffer));
            int n = socket_.receiveBytes(transfer.get(), want);
            if (n <= 0) {
                session_.abandonUpload();
                return "peer-closed-mid-upload";
            }
            session_.receiveUpload(std::string_view(transfer.get(), static_cast<std::size_t>(n)));
            left -= static_cast<std::uint64_t>(n);
            lastProgress = Clock::now();
        }
        lastActivity_ = Clock::now();
        return std::nullopt;
    }

    enum class Wake { Readable, Shutdown, Settle, Timeout };

    // Sleeps until the socket has bytes (or is closed), a shutdown begins, the writer thread
    // hands back a pending reply, or timeout passes. Waiting on the registry's shutdown pipe
    // as well as the socket means an idle session costs no wake-ups at all, and still hears
    // of a shutdown at once (protocol.md §5).
    Wake waitReadable(Clock::duration timeout) {
        if (context_.registry.shuttingDown()) {
            return Wake::Shutdown;
        }
        // OpenSSL may hold decrypted bytes already taken off the socket, which poll() cannot
        // see; for a TLS socket available() is SSL_pending().
        if (context_.config.tls() && socket_.available() > 0) {
            return Wake::Readable;
        }
        auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count() + 1;
        const int settleFd = session_.pendingWakeFd();
        pollfd fds[3] = {{socket_.impl()->sockfd(), POLLIN, 0},
                         {context_.registry.shutdownFd(), POLLIN, 0},
                         {settleFd, POLLIN, 0}};
        const nfds_t count = settleFd >= 0 ? 3 : 2;
        int ready =
            ::poll(fds, count, static_cast<int>(std::clamp<long long>(millis, 0, INT32_MAX)));
        if (ready < 0) {
            if (errno == EINTR) {
                return Wake::Timeout;  // the caller re-checks its deadline and waits again
            }
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        if (fds[1].revents != 0) {
            return Wake::Shutdown;
        }
        if (count == 3 && fds[2].revents != 0) {
            return Wake::Settle;
        }
        if (fds[0].revents != 0) {
            return Wake::Readable;
        }
        return Wake::Timeout;
    }

    std::string notify(const std::string& notice, std::string reason) {
        session_.settle(sink_);
        sink_.write(notice);
        sink_.flush();
        return reason;
    }

    std::string userForLog() const {
        return session_.user().empty() ? std::string("-") : session_.user();
    }

    StreamSocket& socket_;
    ServerContext& context_;
    std::uint64_t id_;
    SocketSink sink_;
    protocol::LineSplitter splitter_;
    Session session_;
    std::vector<char> buffer_;
    Poco::Logger& log_;
    Clock::time_point connectedAt_;
    Clock::time_point lastActivity_;
    bool sawRequest_ = false;
    bool loggedIn_ = false;
};

}  // namespace

SessionConnection::SessionConnection(const StreamSocket& socket, ServerContext& context)
    : Poco::Net::TCPServerConnection(socket), context_(context) {}

namespace {

// The TLS handshake of an accepted connection, on the session's thread, bounded like the first
// request (the caller sets the socket's timeouts). Returns why it failed, or "" on success.
// Without this, Poco would shake hands lazily inside the first send or receive.
std::string shakeHands(StreamSocket& socket) {
    auto* secure = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(socket.impl());
    if (secure == nullptr) {
        return "not a TLS socket";
    }
    try {
        secure->completeHandshake();
        return {};
    } catch (const Poco::TimeoutException&) {
        return "no TLS handshake in time";
    } catch (const Poco::Exception& e) {
        return e.displayText();
    }
}

// Runs part of a session (all of it, or one turn of a parked one); returns why it ended, or
// nullopt if it goes on. What it throws ends the session, with a reason for the log.
template <typename Fn>
std::optional<std::string> guarded(ConnectionLoop& loop, StreamSocket& sock, const std::string& id,
                                   Fn&& serve) {
    try {
        return serve();
    } catch (const Poco::TimeoutException&) {
        return "io-timeout";
    } catch (const Poco::Net::NetException&) {
        return "connection-lost";
    } catch (const Poco::IOException&) {
        return "connection-lost";
    } catch (const std::exception& e) {
        // Something unexpected inside this session: tell its client if we can, end this
        // session only, and leave the rest of the server serving. In the middle of a reply (a
        // stored file shorter than its record, found while sending it) a 500 line would be
        // taken for part of the body, so the connection just closes.
        Poco::Logger::get("dfp.session")
            .error("event=session-error session=%s user=%s error=\"%s\"", id,
                   loop.session().user().empty() ? std::string("-") : loop.session().user(),
                   std::string(e.what()));
        if (!loop.midReply()) {
            sendQuietly(sock, "500 internal error, closing\n");
        }
        return "internal-error";
    }
}

// A plain TCP session served in turns by the parking lot's workers (parking_lot.h). It
// owns what the session holds: the socket, the registry slot and the connection loop. Its
// destructor closes the connection and logs the session's end.
class ParkedSession final : public Parkable {
public:
    ParkedSession(const StreamSocket& socket, ServerContext& context, SessionSlot slot,
                  std::string peer, std::string peerHost)
        : socket_(socket),
          slot_(std::move(slot)),
          id_(std::to_string(slot_->id())),
          peer_(std::move(peer)) {
        loop_.emplace(socket_, context, slot_->id(), std::move(peerHost));
    }

    ~ParkedSession() override {
        try {
            socket_.shutdown();
        } catch (const Poco::Exception&) {
            // The peer closed first.
        }
        const std::string& user = loop_->session().user();
        Poco::Logger::get("dfp.session")
            .information("event=session-close session=%s peer=%s user=%s reason=%s", id_, peer_,
                         user.empty() ? std::string("-") : user, reason_);
        // In this order: the session waits for a reply the writer thread may still be sending
        // to the socket; the slot's abort callback names the descriptor, which may be reused
        // once closed. And the socket is closed here, on the thread that used it last, rather than
        // by whichever thread drops the last copy of the socket (the acceptor's pool keeps one
        // until the connection that parked this session is deleted).
        loop_.reset();
        slot_.reset();
        try {
            socket_.close();
        } catch (const Poco::Exception&) {
            // Nothing left to do with it.
        }
    }
    ParkedSession(const ParkedSession&) = delete;
    ParkedSession& operator=(const ParkedSession&) = delete;

    // The greeting: false if the session has already ended. What the client sent meanwhile
    // is served by a worker once the session is parked, never on the acceptor's dispatcher
    // thread, which must not wait for a hash or a transfer.
    bool begin() {
        return turn([&] {
            loop_->greet();
            return std::optional<std::string>();
        });
    }

    int socketFd() const override { return loop_->socketFd(); }
    int wakeFd() const override { return loop_->pendingWakeFd(); }
    std::chrono::steady_clock::time_point deadline() const override { return loop_->deadline(); }
    bool resume() override {
        return turn([&] { return loop_->serveArrived(); });
    }
    void expire() override {
        turn([&] { return std::optional<std::string>(loop_->timedOut()); });
    }
    void shutDown() override {
        turn([&] { return std::optional<std::string>(loop_->shutDown()); });
    }

private:
    template <typename Fn>
    bool turn(Fn&& serve) {
        if (auto reason = guarded(*loop_, socket_, id_, std::forward<Fn>(serve))) {
            reason_ = std::move(*reason);
            return false;
        }
        return true;
    }

    StreamSocket socket_;
    std::optional<SessionSlot> slot_;
    const std::string id_;
    const std::string peer_;
    std::optional<ConnectionLoop> loop_;
    std::string reason_ = "internal-error";
};

}  // namespace

void SessionConnection::run() {
    Poco::Logger& log = Poco::Logger::get("dfp.session");
    StreamSocket& sock = socket();
    const bool tls = context_.config.tls();
    // Read once: the log names the address and port, the login throttle the host.
    std::string peer;
    std::string peerHost;
    try {
        const Poco::Net::SocketAddress address = sock.peerAddress();
        peer = address.toString();
        peerHost = address.host().toString();
    } catch (const Poco::Exception&) {
        return;  // gone before we could serve it
    }
    // The registry cuts a session off from another thread (shutdown, the pre-login limit).
    // It uses the descriptor, not the socket object: under TLS, Poco's shutdown() would send
    // a close_notify through OpenSSL while this thread is inside SSL_read, and an SSL object
    // is not for two threads at once. ::shutdown() wakes this thread's poll() or recv() all
    // the same. The copy of the socket keeps the descriptor open for as long as the slot
    // (and so the callback) lives.
    StreamSocket abortHandle = sock;
    const int fd = sock.impl()->sockfd();
    auto slot = context_.registry.enter([abortHandle, fd]() { ::shutdown(fd, SHUT_RDWR); });
    // Every wait below, the handshake's included, has a bound.
    try {
        sock.setNoDelay(true);
        const auto firstWait =
            tls ? std::min(context_.config.ioTimeout, context_.config.firstLineTimeout)
                : context_.config.ioTimeout;
        sock.setSendTimeout(toTimespan(firstWait));
        sock.setReceiveTimeout(toTimespan(firstWait));
    } catch (const Poco::Exception&) {
        return;  // gone already
    }
    if (!slot) {
        // Under TLS this is where an over-limit connection hears 503: the acceptor's filter
        // does not write to a TLS socket (that would shake hands on the acceptor thread).
        log.warning("event=refused peer=%s code=503 reason=session-limit", peer);
        if (!tls || shakeHands(sock).empty()) {
            sendQuietly(sock, "503 server busy\n");
        }
        return;
    }
    const std::string id = std::to_string(slot->id());
    log.information("event=session-open session=%s peer=%s tls=%s", id, peer,
                    std::string(tls ? "on" : "off"));
    if (tls) {
        if (const std::string failure = shakeHands(sock); !failure.empty()) {
            // A plain client, a port scanner, an unsupported version, nothing in time, or a
            // cut from the registry (the pre-login limit, shutdown).
            log.warning(
                "event=session-close session=%s peer=%s user=- reason=tls-handshake-failed "
                "error=\"%s\"",
                id, peer, failure);
            return;
        }
    }

    if (!tls && context_.parking != nullptr) {
        std::unique_ptr<Parkable> parked;
        try {
            // The timeouts are ioTimeout already (firstWait above, without TLS).
            auto session =
                std::make_unique<ParkedSession>(sock, context_, std::move(*slot), peer, peerHost);
            if (!session->begin()) {
                return;  // it ended at once; its destructor logs why
            }
            parked = std::move(session);
            if (!context_.parking->park(parked)) {
                parked->shutDown();
            }
        } catch (const std::exception& e) {
            // No descriptor for epoll, or the session could not be made.
            log.error("event=session-error session=%s error=\"%s\"", id, std::string(e.what()));
        }
        return;
    }

    std::string reason;
    std::string user = "-";
    try {
        sock.setSendTimeout(toTimespan(context_.config.ioTimeout));
        sock.setReceiveTimeout(toTimespan(context_.config.ioTimeout));
        ConnectionLoop loop(sock, context_, slot->id(), peerHost);
        reason = *guarded(loop, sock, id, [&] { return std::optional<std::string>(loop.run()); });
        if (!loop.session().user().empty()) {
            user = loop.session().user();
        }
    } catch (const std::exception& e) {
        log.error("event=session-error session=%s error=\"%s\"", id, std::string(e.what()));
        reason = "internal-error";
    }
    try {
        sock.shutdown();
    } catch (const Poco::Exception&) {
        // The peer closed first.
    }
    log.information("event=session-close session=%s peer=%s user=%s reason=%s", id, peer, user,
                    reason);
}

bool SessionLimitFilter::accept(const StreamSocket& socket) {
    if (context_.registry.shuttingDown() ||
        context_.registry.openSessions() >= context_.config.maxSessions) {
        if (context_.config.tls()) {
            // Writing would start the TLS handshake here, on the acceptor thread, and stall
            // every connection behind a slow client: under TLS the refusal is a silent close
            // (docs/security.md).
            Poco::Logger::get("dfp.session")
                .warning("event=refused code=- reason=session-limit tls=on");
            return false;
        }
        StreamSocket refused = socket;
        try {
            refused.setBlocking(false);
        } catch (const Poco::Exception&) {
        }
        sendQuietly(refused, context_.registry.shuttingDown() ? "503 server shutting down\n"
                                                              : "503 server busy\n");
        Poco::Logger::get("dfp.session").warning("event=refused code=503 reason=session-limit");
        return false;
    }
    return true;
}

}  // namespace dfp::server
