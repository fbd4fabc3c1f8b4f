#pragma once

// dfp-server as a Poco ServerApplication: options, logging, the store, the listening socket,
// the TCPServer with its pool, and the graceful stop (protocol.md §5).

#include <string>
#include <vector>

#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

namespace dfp::server {

class ServerApp : public Poco::Util::ServerApplication {
protected:
    void initialize(Poco::Util::Application& self) override;
    void defineOptions(Poco::Util::OptionSet& options) override;
    int main(const std::vector<std::string>& args) override;

private:
    void showHelp(const std::string& name, const std::string& value);
    void showVersion(const std::string& name, const std::string& value);
    void loadConfigFile(const std::string& name, const std::string& value);

    bool stopEarly_ = false;  // --help or --version: print and exit without serving
};

}  // namespace dfp::server
