#pragma once

// Certificates for the TLS tests, made at test time with the openssl command-line tool in a
// directory the caller owns (a TempDir): nothing secret or expiring is kept in the repository.
//
//   ca.pem / ca.key            a test CA
//   server.pem / server.key    signed by it, for IP 127.0.0.1 and DNS localhost
//   wrong-host.pem / .key      signed by it, for DNS wrong.example only
//   other-ca.pem               an unrelated CA that signed nothing here
//
// The constructor throws std::runtime_error, with openssl's output, if any step fails.

#include <filesystem>
#include <string>
#include <vector>

namespace dfp::test {

class TestCertificates {
public:
    explicit TestCertificates(const std::filesystem::path& dir);

    std::filesystem::path caCert() const { return dir_ / "ca.pem"; }
    std::filesystem::path otherCaCert() const { return dir_ / "other-ca.pem"; }
    std::filesystem::path serverCert() const { return dir_ / "server.pem"; }
    std::filesystem::path serverKey() const { return dir_ / "server.key"; }
    std::filesystem::path wrongHostCert() const { return dir_ / "wrong-host.pem"; }
    std::filesystem::path wrongHostKey() const { return dir_ / "wrong-host.key"; }

private:
    void openssl(std::vector<std::string> args) const;
    void makeCa(const std::string& name, const std::string& subject) const;
    void makeLeaf(const std::string& name, const std::string& subject,
                  const std::string& altNames) const;

    std::filesystem::path dir_;
    std::filesystem::path binary_;
};

}  // namespace dfp::test
