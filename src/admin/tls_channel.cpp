#include "admin/tls_channel.h"

#include <openssl/err.h>

#include <Poco/Exception.h>

namespace dfp::admin {
namespace {

// On a blocking socket WANT_READ or WANT_WRITE means SO_RCVTIMEO or SO_SNDTIMEO passed.
bool timedOut(int error) {
    return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
}

}  // namespace

TlsChannel::TlsChannel(int fd, const std::string& host, std::uint16_t port,
                       const std::optional<std::string>& caFile)
    : ctx_(tls::makeClientContext(caFile, SSL_MODE_AUTO_RETRY)) {
    tls::ClientHandshake handshake(ctx_.get(), fd, host, port, caFile);
    const int error = handshake.step();
    if (error == 0) {
        ssl_ = handshake.release();
        return;
    }
    if (timedOut(error)) {
        throw Poco::TimeoutException("no TLS handshake in time");
    }
    throw TlsError(handshake.failure(error));
}

TlsChannel::~TlsChannel() {
    if (!closed_ && ssl_ && SSL_is_init_finished(ssl_.get()) == 1) {
        ERR_clear_error();
        SSL_shutdown(ssl_.get());  // a close_notify; the answer is not awaited
    }
    ERR_clear_error();
}

int TlsChannel::receive(char* buffer, int size) {
    std::size_t got = 0;
    ERR_clear_error();
    if (SSL_read_ex(ssl_.get(), buffer, static_cast<std::size_t>(size), &got) == 1) {
        return static_cast<int>(got);
    }
    const int error = SSL_get_error(ssl_.get(), 0);
    ERR_clear_error();
    if (timedOut(error)) {
        throw Poco::TimeoutException("no answer in time");
    }
    closed_ = true;
    return 0;
}

int TlsChannel::send(const char* bytes, int size) {
    std::size_t written = 0;
    ERR_clear_error();
    if (SSL_write_ex(ssl_.get(), bytes, static_cast<std::size_t>(size), &written) == 1) {
        return static_cast<int>(written);
    }
    const int error = SSL_get_error(ssl_.get(), 0);
    ERR_clear_error();
    if (timedOut(error)) {
        throw Poco::TimeoutException("the server took no data in time");
    }
    closed_ = true;
    return 0;
}

}  // namespace dfp::admin
