#pragma once

// A whole reply kept by the reply cache, as the pieces it is written in. Pieces are
// immutable and shared between the versions of a reply that contain them, so a revision
// that changes only the reply's ends (MSG: a new count in the status line, one more line
// before the end) makes new pieces for those and shares the rest: keeping a long thread's
// RDT reply up to date costs a few KiB per message instead of a copy of the whole reply.
// Copyable and cheap to copy (the pieces are shared); a piece is never written after it is
// made, so any number of threads may read one.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dfp::server {

class KeptReply {
public:
    using Piece = std::shared_ptr<const std::string>;

    KeptReply() = default;
    explicit KeptReply(std::string whole);  // one piece (none if empty)
    explicit KeptReply(std::vector<Piece> pieces);

    const std::vector<Piece>& pieces() const { return pieces_; }
    std::size_t size() const { return size_; }  // bytes, all pieces together
    std::string flat() const;                   // the bytes in order, in one string
    // The pieces as views, in order, for a gathered write.
    std::vector<std::string_view> views() const;

private:
    std::vector<Piece> pieces_;
    std::size_t size_ = 0;
};

}  // namespace dfp::server
