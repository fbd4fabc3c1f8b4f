#include "server/thread_view.h"

#include <charconv>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

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

namespace {

using Piece = KeptReply::Piece;

// Whether head is exactly the status line of an RDT reply, and of how many entries.
bool isThreadReplyHead(std::string_view head, std::uint64_t& entries) {
    const std::size_t countStart = head.find(' ');
    if (!head.ends_with('\n') || countStart == std::string_view::npos) {
        return false;
    }
    const char* const first = head.data() + countStart + 1;
    const char* const last = head.data() + head.size();
    const auto parsed = std::from_chars(first, last, entries);
    return parsed.ec == std::errc() && head == threadReplyHead(entries);
}

const Piece& endPiece() {
    static const Piece end = std::make_shared<const std::string>(protocol::kBodyEnd);
    return end;
}

}  // namespace

std::optional<KeptReply> withLineAppended(const KeptReply& reply, std::string_view line) {
    const std::vector<Piece>& pieces = reply.pieces();
    std::uint64_t entries = 0;
    std::vector<Piece> body;
    if (pieces.size() >= 2 && *pieces.back() == protocol::kBodyEnd &&
        isThreadReplyHead(*pieces.front(), entries)) {
        // The form this function makes: status line, body pieces, end line.
        body.assign(pieces.begin() + 1, pieces.end() - 1);
    } else {
        // Any other form (the whole reply as RDT sent it): cut into that form, once.
        const std::string flat = pieces.size() == 1 ? std::string() : reply.flat();
        const std::string_view whole =
            pieces.size() == 1 ? std::string_view(*pieces.front()) : std::string_view(flat);
        const std::size_t headEnd = whole.find('\n');
        if (headEnd == std::string_view::npos || !whole.ends_with(protocol::kBodyEnd) ||
            whole.size() < headEnd + 1 + protocol::kBodyEnd.size() ||
            !isThreadReplyHead(whole.substr(0, headEnd + 1), entries)) {
            return std::nullopt;
        }
        const std::string_view text =
            whole.substr(headEnd + 1, whole.size() - headEnd - 1 - protocol::kBodyEnd.size());
        for (std::size_t at = 0; at < text.size(); at += kBodyPieceBytes) {
            body.push_back(std::make_shared<const std::string>(text.substr(at, kBodyPieceBytes)));
        }
    }
    std::string added = protocol::formatBodyLine(line);
    if (!body.empty() && body.back()->size() + added.size() <= kBodyPieceBytes) {
        std::string last;
        last.reserve(body.back()->size() + added.size());
        last += *body.back();
        last += added;
        body.back() = std::make_shared<const std::string>(std::move(last));
    } else {
        body.push_back(std::make_shared<const std::string>(std::move(added)));
    }
    std::vector<Piece> grown;
    grown.reserve(body.size() + 2);
    grown.push_back(std::make_shared<const std::string>(threadReplyHead(entries + 1)));
    grown.insert(grown.end(), std::make_move_iterator(body.begin()),
                 std::make_move_iterator(body.end()));
    grown.push_back(endPiece());
    return KeptReply(std::move(grown));
}

}  // namespace dfp::server
