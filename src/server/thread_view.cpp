#include "server/thread_view.h"

#include <charconv>

#include "protocol/codes.h"
#include "protocol/reply.h"

namespace dfp::server {

using protocol::Code;
using protocol::Reply;

std::string threadReplyKey(std::string_view title) {
    return "RDT " + std::string(title);
}

std::string threadReplyHead(std::uint64_t entries) {
    return protocol::format(Reply{Code::Entries, {std::to_string(entries)}, "entries"});
}

std::string messageLine(std::int64_t number, std::string_view author, std::string_view text) {
    std::string line = std::to_string(number);
    line += ' ';
    line += author;
    line += ": ";
    line += text;
    return line;
}

std::string fileLine(std::string_view uploader, std::string_view fileName) {
    return std::string(uploader) + " uploaded " + std::string(fileName);
}

std::string emptyThreadReply() {
    return threadReplyHead(0) + std::string(protocol::kBodyEnd);
}

bool appendEntryLine(std::string& reply, std::string_view line) {
    const std::size_t headEnd = reply.find('\n');
    const std::size_t countStart = reply.find(' ');
    if (headEnd == std::string::npos || countStart > headEnd ||
        !std::string_view(reply).ends_with(protocol::kBodyEnd) ||
        reply.size() < headEnd + 1 + protocol::kBodyEnd.size()) {
        return false;
    }
    std::uint64_t entries = 0;
    const char* const first = reply.data() + countStart + 1;
    const char* const last = reply.data() + headEnd;
    if (std::from_chars(first, last, entries).ec != std::errc() ||
        reply.compare(0, headEnd + 1, threadReplyHead(entries)) != 0) {
        return false;
    }
    reply.resize(reply.size() - protocol::kBodyEnd.size());
    reply += protocol::formatBodyLine(line);
    reply += protocol::kBodyEnd;
    // The same length but when the count gains a digit: then the body moves once.
    reply.replace(0, headEnd + 1, threadReplyHead(entries + 1));
    return true;
}

}  // namespace dfp::server
