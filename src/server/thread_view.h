#pragma once

// The RDT reply of a thread (protocol.md §4), in the pieces that RDT builds it from and that
// CRT and MSG use to keep a kept copy of it up to date (server/reply_cache.h) instead of
// leaving the next RDT to read the whole thread again.

#include <cstdint>
#include <string>
#include <string_view>

namespace dfp::server {

// The reply cache's key for a thread's RDT reply.
std::string threadReplyKey(std::string_view title);
// The status line of an RDT reply of this many entries.
std::string threadReplyHead(std::uint64_t entries);
// The text of a message's body line, and of a file's.
std::string messageLine(std::int64_t number, std::string_view author, std::string_view text);
std::string fileLine(std::string_view uploader, std::string_view fileName);
// The RDT reply of an empty thread.
std::string emptyThreadReply();
// Adds to reply, an RDT reply, one more entry whose body line is line, at its end: in place,
// so that a string with room to spare is not copied. False, with reply unchanged, if reply is
// not an RDT reply.
bool appendEntryLine(std::string& reply, std::string_view line);

}  // namespace dfp::server
