// XIT, PING, CAPA and HELP: the commands about the session itself (protocol.md §4).

#include <string>
#include <vector>

#include "server/session.h"

namespace dfp::server {

using protocol::Code;
using protocol::Reply;

namespace {

void writeListing(ReplySink& out, const std::vector<std::string>& lines, std::string_view noun) {
    std::string bytes =
        protocol::format(Reply{Code::Listing, {std::to_string(lines.size())}, std::string(noun)});
    for (const auto& line : lines) {
        bytes += protocol::formatBodyLine(line);
    }
    bytes += protocol::kBodyEnd;
    out.write(bytes);
}

}  // namespace

Next Session::leave(const protocol::Request& /*request*/, ReplySink& out) {
    // The name is free before the client reads 221, so a client that logs in again the
    // moment it has its goodbye never meets a stale 409 (protocol.md §3).
    ticket_.reset();
    refuse(out, Code::Goodbye, "goodbye");
    return close("xit");
}

Next Session::ping(const protocol::Request& /*request*/, ReplySink& out) {
    return refuse(out, Code::Ok, "pong");
}

Next Session::listCapabilities(const protocol::Request& /*request*/, ReplySink& out) {
    writeListing(out, {"DFP/1", "UPD-SHA256", "RMF", "PING"}, "capabilities");
    return {};
}

Next Session::listCommands(const protocol::Request& /*request*/, ReplySink& out) {
    std::vector<std::string> lines;
    for (const auto& spec : protocol::commands()) {
        lines.push_back(std::string(spec.usage) + " - " + std::string(spec.summary));
    }
    writeListing(out, lines, "lines");
    return {};
}

}  // namespace dfp::server
