#pragma once

// The bookkeeping of one gathered write (sendmsg(2) with several buffers): the parts still
// to send, and where the first of them now starts after the kernel took some bytes. A
// blocking send can still return early (its send timeout passed with part of the bytes
// taken, or a signal came), and the rest must go next, from exactly where it stopped.
// Holds pointers into the caller's bytes, which must outlive it. No sockets here.

#include <sys/uio.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace dfp::server {

class GatheredWrite {
public:
    void add(std::string_view bytes);  // empty pieces are skipped

    bool done() const { return next_ == parts_.size(); }
    // The parts left, for sendmsg: first() and count().
    const iovec* first() const { return parts_.data() + next_; }
    std::size_t count() const { return parts_.size() - next_; }
    // The kernel took `sent` bytes from the front of what is left.
    void consume(std::size_t sent);

private:
    std::vector<iovec> parts_;
    std::size_t next_ = 0;  // the first part not wholly sent
};

}  // namespace dfp::server
