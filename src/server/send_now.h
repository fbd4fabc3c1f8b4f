#pragma once

// A send that never waits: as much of the bytes as a socket takes now. For the threads that
// must not block on a peer (the store's writer thread finishing a MSG reply, a parking lot
// worker before it makes way for another).

#include <cstddef>
#include <string_view>

namespace dfp::server {

struct SendNow {
    std::size_t sent = 0;  // bytes taken, from the front
    int error = 0;         // 0: all sent, or the socket was full; else the errno that stopped it
};

SendNow sendNow(int fd, std::string_view bytes);

}  // namespace dfp::server
