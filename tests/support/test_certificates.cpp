#include "support/test_certificates.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "support/client_process.h"

namespace dfp::test {
namespace {

// The openssl tool from $PATH (ClientProcess runs an absolute path).
std::filesystem::path findOpenssl() {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
        const std::size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::filesystem::path candidate =
            std::filesystem::path(dirs.substr(start, end - start)) / "openssl";
        std::error_code error;
        if (end > start && std::filesystem::is_regular_file(candidate, error)) {
            return candidate;
        }
        start = end + 1;
    }
    throw std::runtime_error("the TLS tests need the openssl tool (scripts/install-deps.sh)");
}

}  // namespace

TestCertificates::TestCertificates(const std::filesystem::path& dir)
    : dir_(dir), binary_(findOpenssl()) {
    std::filesystem::create_directories(dir_);
    makeCa("ca", "/CN=DFP test CA");
    makeCa("other-ca", "/CN=Some other CA");
    makeLeaf("server", "/CN=127.0.0.1", "IP:127.0.0.1,DNS:localhost");
    makeLeaf("wrong-host", "/CN=wrong.example", "DNS:wrong.example");
}

void TestCertificates::openssl(std::vector<std::string> args) const {
    std::string command = "openssl";
    for (const std::string& arg : args) {
        command += " " + arg;
    }
    ClientLaunch launch;
    launch.binary = binary_;
    launch.args = std::move(args);
    launch.workDir = dir_;
    const ClientRun run = runClientScript(std::move(launch), "");
    if (run.status != 0) {
        throw std::runtime_error(command + " failed (exit status " + std::to_string(run.status) +
                                 "):\n" + run.out + run.err);
    }
}

void TestCertificates::makeCa(const std::string& name, const std::string& subject) const {
    openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
             name + ".pem", "-days", "2", "-subj", subject, "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"});
}

void TestCertificates::makeLeaf(const std::string& name, const std::string& subject,
                                const std::string& altNames) const {
    openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
             name + ".csr", "-subj", subject});
    std::ofstream(dir_ / (name + ".ext")) << "subjectAltName=" << altNames << "\n"
                                          << "basicConstraints=CA:FALSE\n"
                                          << "extendedKeyUsage=serverAuth\n";
    openssl({"x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext"});
}

}  // namespace dfp::test
