#include "admin/tls_channel.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include <Poco/Exception.h>

namespace dfp::admin {
namespace {

constexpr std::size_t kFirstBytesKept = 16;

std::string takeOpenSslErrors() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += (text.empty() ? "" : "; ") + std::string(buffer);
    }
    return text.empty() ? std::string("no reason given") : text;
}

bool isIpLiteral(const std::string& host) {
    unsigned char address[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), address) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

// Keeps the first bytes the server sends during the handshake, to name a plain greeting.
long recordFirstBytes(BIO* bio, int operation, const char* data, std::size_t /*length*/,
                      int /*argi*/, long /*argl*/, int ret, std::size_t* processed) {
    if (operation == (BIO_CB_READ | BIO_CB_RETURN) && ret > 0 && processed != nullptr) {
        auto* kept = reinterpret_cast<std::string*>(BIO_get_callback_arg(bio));
        if (kept != nullptr && kept->size() < kFirstBytesKept) {
            kept->append(data, std::min(*processed, kFirstBytesKept - kept->size()));
        }
    }
    return ret;
}

// On a blocking socket WANT_READ or WANT_WRITE means SO_RCVTIMEO or SO_SNDTIMEO passed.
bool timedOut(int error) {
    return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
}

}  // namespace

TlsChannel::TlsChannel(int fd, const std::string& host, std::uint16_t port,
                       const std::optional<std::string>& caFile)
    : ctx_(SSL_CTX_new(TLS_client_method())) {
    const std::string where = host + ":" + std::to_string(port);
    if (!ctx_) {
        throw TlsError("TLS: cannot set up OpenSSL: " + takeOpenSslErrors());
    }
    SSL_CTX* ctx = ctx_.get();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
    if (caFile) {
        if (SSL_CTX_load_verify_locations(ctx, caFile->c_str(), nullptr) != 1) {
            throw TlsError("TLS: cannot read the CA file " + *caFile + ": " + takeOpenSslErrors());
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        throw TlsError("TLS: cannot load the system's trusted certificates: " +
                       takeOpenSslErrors());
    }
    ssl_.reset(SSL_new(ctx));
    BIO* bio = ssl_ ? BIO_new_socket(fd, BIO_NOCLOSE) : nullptr;
    if (bio == nullptr) {
        throw TlsError("TLS: cannot set up OpenSSL: " + takeOpenSslErrors());
    }
    SSL* ssl = ssl_.get();
    SSL_set_bio(ssl, bio, bio);
    std::string firstBytes;
    BIO_set_callback_arg(bio, reinterpret_cast<char*>(&firstBytes));
    BIO_set_callback_ex(bio, &recordFirstBytes);

    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const bool ipLiteral = isIpLiteral(host);
    const int named = ipLiteral ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str())
                                : SSL_set1_host(ssl, host.c_str());
    if (named != 1 || (!ipLiteral && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)) {
        throw TlsError("TLS: cannot check certificates for host " + host + ": " +
                       takeOpenSslErrors());
    }

    ERR_clear_error();
    const int rc = SSL_connect(ssl);
    BIO_set_callback_ex(bio, nullptr);
    BIO_set_callback_arg(bio, nullptr);
    if (rc == 1) {
        return;
    }
    const int error = SSL_get_error(ssl, rc);
    if (timedOut(error)) {
        throw Poco::TimeoutException("no TLS handshake in time");
    }
    closed_ = true;
    const long verify = SSL_get_verify_result(ssl);
    // OpenSSL 3 reports an EOF as an error of its own, not as SSL_ERROR_SYSCALL.
    const bool unexpectedEof =
        ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
    const std::string openSslErrors = takeOpenSslErrors();
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        throw TlsError("TLS: the server's certificate is not valid for host " + host +
                       " (hostname mismatch)");
    }
    if (verify != X509_V_OK) {
        const std::string reason = X509_verify_cert_error_string(verify);
        throw TlsError(
            caFile
                ? "TLS: the server's certificate is not trusted by " + *caFile + " (" + reason + ")"
                : "TLS: the server's certificate is not trusted (" + reason + "); pass --ca-file");
    }
    if (firstBytes.starts_with("200 ")) {
        throw TlsError("TLS: the server at " + where +
                       " does not speak TLS (it sent a plain DFP greeting); drop --tls");
    }
    if (!firstBytes.empty() && firstBytes[0] != 0x15 && firstBytes[0] != 0x16) {
        throw TlsError("TLS: the server at " + where +
                       " does not speak TLS (it answered with something else)");
    }
    if (error == SSL_ERROR_SYSCALL || error == SSL_ERROR_ZERO_RETURN || unexpectedEof) {
        throw TlsError("TLS: the server at " + where +
                       " closed the connection during the handshake (as a TLS server at its "
                       "session limit does)");
    }
    throw TlsError("TLS: the handshake with " + where + " failed: " + openSslErrors);
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
