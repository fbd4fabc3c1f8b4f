#include "server/gathered_write.h"

namespace dfp::server {

void GatheredWrite::add(std::string_view bytes) {
    if (!bytes.empty()) {
        // iovec has no const: sendmsg only reads from it.
        parts_.push_back(iovec{const_cast<char*>(bytes.data()), bytes.size()});
    }
}

void GatheredWrite::consume(std::size_t sent) {
    while (next_ < parts_.size() && sent >= parts_[next_].iov_len) {
        sent -= parts_[next_].iov_len;
        ++next_;
    }
    if (sent > 0 && next_ < parts_.size()) {
        parts_[next_].iov_base = static_cast<char*>(parts_[next_].iov_base) + sent;
        parts_[next_].iov_len -= sent;
    }
}

}  // namespace dfp::server
