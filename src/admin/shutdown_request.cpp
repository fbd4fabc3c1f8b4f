#include "admin/shutdown_request.h"

#include <optional>
#include <string_view>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

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

// Reads until a status line arrives: notices go to outcome.notices. Returns nullopt when
// the connection ends first (outcome then says why).
std::optional<ResponseEvent> readStatus(Poco::Net::StreamSocket& socket,
                                        protocol::ResponseReader& reader, ShutdownOutcome& outcome,
                                        std::string_view waitingFor) {
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

void sendAll(Poco::Net::StreamSocket& socket, std::string_view bytes) {
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
    try {
        Poco::Net::StreamSocket socket;
        socket.connect(Poco::Net::SocketAddress(request.host, request.port),
                       toTimespan(request.timeout));
        socket.setReceiveTimeout(toTimespan(request.timeout));
        socket.setSendTimeout(toTimespan(request.timeout));
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
    } catch (const Poco::Exception& e) {
        outcome.result = Result::Unreachable;
        outcome.reply = e.displayText();
    }
    return outcome;
}

}  // namespace dfp::admin
