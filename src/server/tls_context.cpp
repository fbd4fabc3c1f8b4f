#include "server/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

#include <Poco/Exception.h>

namespace dfp::server {
namespace {

// Forward secrecy and AEAD only, for TLS 1.2; TLS 1.3 suites are OpenSSL's defaults.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// OpenSSL's reasons for the last failure, oldest first, and clears them.
std::string takeOpenSslErrors() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!text.empty()) {
            text += "; ";
        }
        text += buffer;
    }
    return text.empty() ? std::string("unknown OpenSSL error") : text;
}

// An encrypted key would otherwise reach Poco's passphrase callback, which may ask on the
// console; the server is not interactive, so an encrypted key simply fails to load.
int refusePassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
    return 0;
}

}  // namespace

Poco::Net::Context::Ptr makeServerTlsContext(const ServerConfig& config) {
    Poco::Net::Context::Ptr context;
    try {
        // No files here: they are loaded below, where the errors can name them.
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;  // no client certificates
        params.loadDefaultCAs = false;
        params.cipherList = kCipherList;
        context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        context->preferServerCiphers();
        context->disableStatelessSessionResumption();  // no TLS 1.2 session tickets
    } catch (const Poco::Exception& e) {
        throw TlsSetupError("cannot set up TLS: " + e.displayText());
    }
    SSL_CTX* ctx = context->sslContext();
    // No session resumption: sessions are long-lived, and tickets would only be bytes that
    // wake a client's poll() with nothing for it to read.
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_default_passwd_cb(ctx, &refusePassphrase);
    ERR_clear_error();
    const std::string cert = config.tlsCertFile.string();
    const std::string key = config.tlsKeyFile.string();
    for (const auto& [what, path] : {std::pair{"certificate", cert}, std::pair{"key", key}}) {
        if (std::ifstream file(path, std::ios::binary); !file) {
            throw TlsSetupError(std::string("cannot read the TLS ") + what + " " + path + ": " +
                                std::strerror(errno));
        }
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
        throw TlsSetupError("cannot use the TLS certificate " + cert + ": " + takeOpenSslErrors());
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
        throw TlsSetupError("cannot use the TLS key " + key +
                            " (an unencrypted PEM key that belongs to the certificate " + cert +
                            "): " + takeOpenSslErrors());
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        throw TlsSetupError("the TLS key " + key + " does not belong to the certificate " + cert +
                            ": " + takeOpenSslErrors());
    }
    return context;
}

}  // namespace dfp::server
