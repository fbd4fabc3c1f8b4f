#include "admin/shutdown_request.h"

#include <optional>
#include <string_view>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include "admin/tls_channel.h"
#include "protocol/codes.h"
#include "protocol/response_reader.h"

namespace dfp::admin {
namespace {

using protocol::ResponseEvent;
using Result = ShutdownOutcome::Result;

Poco::Timespan toTimespan(std::chrono::milliseconds timeout) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000);
}

std::string statusLine(const ResponseEvent& event) {
    return std::to_string(event.code) + (event.text.empty() ? "" : " " + event.text);
}

// The connection, plain or through TLS.
class Link {
public:
    // receivedAny is set once any byte arrives; it outlives the link, for the error message.
    Link(Poco::Net::StreamSocket& socket, TlsChannel* tls, bool& receivedAny)
        : socket_(socket), tls_(tls), receivedAny_(receivedAny) {}

    int receiveBytes(char* buffer, int size) {
        const int got =
            tls_ != nullptr ? tls_->receive(buffer, size) : socket_.receiveBytes(buffer, size);
        receivedAny_ = receivedAny_ || got > 0;
        return got;
    }
    int sendBytes(const char* bytes, int size) {
        return tls_ != nullptr ? tls_->send(bytes, size) : socket_.sendBytes(bytes, size);
    }

private:
    Poco::Net::StreamSocket& socket_;
    TlsChannel* tls_;
    bool& receivedAny_;
};

// Reads until a status line arrives: notices go to outcome.notices. Returns nullopt when
// the connection ends first (outcome then says why).
std::optional<ResponseEvent> readStatus(Link& socket, protocol::ResponseReader& reader,
                                        ShutdownOutcome& outcome, std::string_view waitingFor) {
    char buffer[4096];
    for (;;) {
        while (std::optional<ResponseEvent> event = reader.next()) {
            switch (event->kind) {
                case ResponseEvent::Kind::Notice:
                    outcome.notices.push_back(statusLine(*event));
                    continue;
                case ResponseEvent::Kind::Status:
                    return event;
                default:
                    outcome.result = Result::Garbled;
                    outcome.reply = "unexpected data from the server while waiting for " +
                                    std::string(waitingFor) + ": " + event->text;
                    return std::nullopt;
            }
        }
        const int got = socket.receiveBytes(buffer, sizeof buffer);
        if (got <= 0) {
            outcome.result = Result::Unreachable;
            outcome.reply = "the server closed the connection before " + std::string(waitingFor);
            if (!outcome.notices.empty()) {
                outcome.reply += " (after " + outcome.notices.back() + ")";
            }
            return std::nullopt;
        }
        reader.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
    }
}

void sendAll(Link& socket, std::string_view bytes) {
    while (!bytes.empty()) {
        const int sent = socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
        if (sent <= 0) {
            throw Poco::Net::NetException("the connection closed while sending");
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
}

}  // namespace

ShutdownOutcome requestShutdown(const ShutdownRequest& request) {
    ShutdownOutcome outcome;
    bool connected = false;
    bool handshakeDone = false;
    bool receivedAny = false;
    try {
        Poco::Net::StreamSocket plain;
        plain.connect(Poco::Net::SocketAddress(request.host, request.port),
                      toTimespan(request.timeout));
        plain.setReceiveTimeout(toTimespan(request.timeout));
        plain.setSendTimeout(toTimespan(request.timeout));
        connected = true;
        std::optional<TlsChannel> tls;
        if (request.tls) {
            try {
                tls.emplace(plain.impl()->sockfd(), request.host, request.port, request.caFile);
            } catch (const TlsError& e) {
                outcome.result = Result::TlsFailed;
                outcome.reply = e.what();
                return outcome;
            }
        }
        handshakeDone = true;
        Link socket(plain, tls ? &*tls : nullptr, receivedAny);
        protocol::ResponseReader reader;

        const std::optional<ResponseEvent> greeting =
            readStatus(socket, reader, outcome, "its greeting");
        if (!greeting) {
            return outcome;
        }
        if (greeting->code != protocol::toInt(protocol::Code::Ready)) {
            outcome.result = Result::NotReady;
            outcome.code = greeting->code;
            outcome.reply = statusLine(*greeting);
            return outcome;
        }
        // The password is the rest of the line (protocol.md §1), so it is sent as it is.
        sendAll(socket, "SHT " + request.password + "\n");
        const std::optional<ResponseEvent> answer =
            readStatus(socket, reader, outcome, "answering SHT");
        if (!answer) {
            return outcome;
        }
        outcome.code = answer->code;
        outcome.reply = statusLine(*answer);
        outcome.result = answer->code == protocol::toInt(protocol::Code::ShuttingDown)
                             ? Result::Accepted
                             : Result::Refused;
    } catch (const Poco::TimeoutException&) {
        outcome.result = Result::Unreachable;
        outcome.reply = "no answer within " + std::to_string(request.timeout.count()) + " ms";
        if (connected && !request.tls && !receivedAny) {
            // A TLS server waits for the client to speak first (protocol.md §9).
            outcome.reply += " and no greeting; if the server serves TLS, add --tls";
        } else if (connected && request.tls && !handshakeDone) {
            outcome.reply += " to the TLS handshake; is it a TLS server?";
        }
    } catch (const Poco::Exception& e) {
        outcome.result = Result::Unreachable;
        outcome.reply = e.displayText();
    }
    return outcome;
}

}  // namespace dfp::admin
