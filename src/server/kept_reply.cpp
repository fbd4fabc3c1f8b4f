#include "server/kept_reply.h"

#include <utility>

namespace dfp::server {

KeptReply::KeptReply(std::string whole) {
    if (!whole.empty()) {
        size_ = whole.size();
        pieces_.push_back(std::make_shared<const std::string>(std::move(whole)));
    }
}

KeptReply::KeptReply(std::vector<Piece> pieces) : pieces_(std::move(pieces)) {
    for (const Piece& piece : pieces_) {
        size_ += piece->size();
    }
}

std::string KeptReply::flat() const {
    std::string out;
    out.reserve(size_);
    for (const Piece& piece : pieces_) {
        out += *piece;
    }
    return out;
}

std::vector<std::string_view> KeptReply::views() const {
    std::vector<std::string_view> out;
    out.reserve(pieces_.size());
    for (const Piece& piece : pieces_) {
        out.emplace_back(*piece);
    }
    return out;
}

}  // namespace dfp::server
