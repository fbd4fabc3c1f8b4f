#pragma once

// The RDT reply of a thread (protocol.md §4), in the pieces that RDT builds it from and that
// CRT and MSG use to keep a kept copy of it up to date (server/reply_cache.h) instead of
// leaving the next RDT to read the whole thread again.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/kept_reply.h"

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
// reply, an RDT reply, with one more entry whose body line is line at its end; nullopt if
// reply is not an RDT reply. The result is in pieces: the status line, the body in pieces of
// at most kBodyPieceBytes (unless one line is longer), and the end line; all but the status
// line and the last body piece are shared with reply once it is in that form, so a reply
// grown a line at a time is copied only once, the first time.
inline constexpr std::size_t kBodyPieceBytes = 8 * 1024;
std::optional<KeptReply> withLineAppended(const KeptReply& reply, std::string_view line);

}  // namespace dfp::server
