#pragma once

// The server's TLS setup (protocol.md §9): a Poco::Net::Context for SecureServerSocket with
// the operator's certificate and key, TLS 1.2 and later only, and no client certificates.

#include <stdexcept>

#include <Poco/Net/Context.h>

#include "server/server_config.h"

namespace dfp::server {

// The certificate or key cannot be used; what() says which file and why, in words.
class TlsSetupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Loads config.tlsCertFile and config.tlsKeyFile and checks that they belong together.
// Requires config.tls(). Throws TlsSetupError. Poco::Net::initializeSSL() must have run.
Poco::Net::Context::Ptr makeServerTlsContext(const ServerConfig& config);

}  // namespace dfp::server
