#include "tls/client_tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>

namespace dfp::tls {
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

// Keeps the first bytes the server sends during the handshake, so that a plain DFP greeting
// can be named as such instead of as an OpenSSL record error.
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

}  // namespace

Context makeClientContext(const std::optional<std::string>& caFile, long modes) {
    Context context(SSL_CTX_new(TLS_client_method()));
    if (!context) {
        throw TlsError("TLS: cannot set up OpenSSL: " + takeOpenSslErrors());
    }
    SSL_CTX* ctx = context.get();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_mode(ctx, modes);
    if (caFile) {
        if (SSL_CTX_load_verify_locations(ctx, caFile->c_str(), nullptr) != 1) {
            throw TlsError("TLS: cannot read the CA file " + *caFile + ": " + takeOpenSslErrors());
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        throw TlsError("TLS: cannot load the system's trusted certificates: " +
                       takeOpenSslErrors());
    }
    return context;
}

ClientHandshake::ClientHandshake(SSL_CTX* context, int fd, const std::string& host,
                                 std::uint16_t port, std::optional<std::string> caFile)
    : ssl_(SSL_new(context)),
      host_(host),
      where_(host + ":" + std::to_string(port)),
      caFile_(std::move(caFile)) {
    bio_ = ssl_ ? BIO_new_socket(fd, BIO_NOCLOSE) : nullptr;
    if (bio_ == nullptr) {
        throw TlsError("TLS: cannot set up OpenSSL: " + takeOpenSslErrors());
    }
    SSL* ssl = ssl_.get();
    SSL_set_bio(ssl, bio_, bio_);  // ssl owns it now
    BIO_set_callback_arg(bio_, reinterpret_cast<char*>(&firstBytes_));
    BIO_set_callback_ex(bio_, &recordFirstBytes);

    // The certificate must name the host we were asked for: an IP literal as an IP address
    // (SAN iPAddress), anything else as a DNS name, which is also sent as SNI.
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const bool ipLiteral = isIpLiteral(host);
    const int named = ipLiteral ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str())
                                : SSL_set1_host(ssl, host.c_str());
    if (named != 1 || (!ipLiteral && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)) {
        throw TlsError("TLS: cannot check certificates for host " + host + ": " +
                       takeOpenSslErrors());
    }
}

ClientHandshake::~ClientHandshake() {
    stopWatching();
    ERR_clear_error();
}

void ClientHandshake::stopWatching() {
    if (ssl_ && bio_ != nullptr) {
        BIO_set_callback_ex(bio_, nullptr);
        BIO_set_callback_arg(bio_, nullptr);
    }
}

int ClientHandshake::step() {
    ERR_clear_error();
    const int rc = SSL_connect(ssl_.get());
    return rc == 1 ? 0 : SSL_get_error(ssl_.get(), rc);
}

std::string ClientHandshake::failure(int error) {
    const long verify = SSL_get_verify_result(ssl_.get());
    // OpenSSL 3 reports an EOF as an error of its own, not as SSL_ERROR_SYSCALL.
    const bool unexpectedEof =
        ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
    const std::string openSslErrors = takeOpenSslErrors();
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        return "TLS: the server's certificate is not valid for host " + host_ +
               " (hostname mismatch)";
    }
    if (verify != X509_V_OK) {
        const std::string reason = X509_verify_cert_error_string(verify);
        return caFile_ ? "TLS: the server's certificate is not trusted by " + *caFile_ + " (" +
                             reason + ")"
                       : "TLS: the server's certificate is not trusted (" + reason +
                             "); pass --ca-file";
    }
    if (firstBytes_.starts_with("200 ")) {
        return "TLS: the server at " + where_ +
               " does not speak TLS (it sent a plain DFP greeting); drop --tls";
    }
    if (!firstBytes_.empty() && firstBytes_[0] != 0x15 && firstBytes_[0] != 0x16) {
        return "TLS: the server at " + where_ +
               " does not speak TLS (it answered with something else)";
    }
    if (error == SSL_ERROR_SYSCALL || error == SSL_ERROR_ZERO_RETURN || unexpectedEof) {
        return "TLS: the server at " + where_ +
               " closed the connection during the handshake (as a TLS server at its session "
               "limit does)";
    }
    return "TLS: the handshake with " + where_ + " failed: " + openSslErrors;
}

Connection ClientHandshake::release() {
    stopWatching();
    return std::move(ssl_);
}

}  // namespace dfp::tls
