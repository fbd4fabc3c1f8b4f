#include "server/send_now.h"

#include <sys/socket.h>

#include <cerrno>

namespace dfp::server {

SendNow sendNow(int fd, std::string_view bytes) {
    SendNow result;
    while (result.sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + result.sent, bytes.size() - result.sent,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            result.sent += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                result.error = errno;
            }
            break;
        }
    }
    return result;
}

}  // namespace dfp::server
