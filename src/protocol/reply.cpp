#include "protocol/reply.h"

namespace dfp::protocol {
namespace {

bool holdsLineBreak(std::string_view text) {
    // Two memchr scans: find_first_of with a set runs a search of the set for every byte,
    // and RDT formats every body line through here (docs/performance-history.md).
    return text.find('\n') != std::string_view::npos || text.find('\r') != std::string_view::npos;
}

}  // namespace

std::string format(const Reply& reply) {
    // Fields are found by token position (protocol.md §2), so an empty field or one with a
    // space would shift every field after it; a CR or LF would end the line early.
    std::string line = std::to_string(toInt(reply.code));
    for (const std::string& field : reply.fields) {
        if (field.empty() || field.find_first_of(" \r\n") != std::string::npos) {
            throw FramingError("reply field is empty or holds a space, CR or LF: code " +
                               std::to_string(toInt(reply.code)));
        }
        line += ' ';
        line += field;
    }
    if (holdsLineBreak(reply.text)) {
        throw FramingError("reply text holds a CR or LF: code " +
                           std::to_string(toInt(reply.code)));
    }
    if (!reply.text.empty()) {
        line += ' ';
        line += reply.text;
    }
    line += '\n';
    return line;
}

std::string formatBodyLine(std::string_view text) {
    if (holdsLineBreak(text)) {
        throw FramingError("body line holds a CR or LF");
    }
    std::string line;
    line.reserve(text.size() + 2);
    // Dot-stuffing (protocol.md §2): a line starting with '.' gets one more, so only the
    // unstuffed "." can end the body.
    if (!text.empty() && text.front() == '.') {
        line += '.';
    }
    line += text;
    line += '\n';
    return line;
}

}  // namespace dfp::protocol
