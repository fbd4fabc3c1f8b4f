#pragma once

// dfp-server as a Poco ServerApplication: options, logging, the store, the listening socket,
// the TCPServer with its pool, and the graceful stop (protocol.md §5).

#include <string>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include "server/server_options.h"

namespace dfp::server {

class ServerApp : public Poco::Util::ServerApplication {
public:
    ServerApp();

protected:
    void initialize(Poco::Util::Application& self) override;
    void defineOptions(Poco::Util::OptionSet& options) override;
    int main(const std::vector<std::string>& args) override;

private:
    void showHelp(const std::string& name, const std::string& value);
    void showVersion(const std::string& name, const std::string& value);
    void loadConfigFile(const std::string& name, const std::string& value);
    void setFromCommandLine(const std::string& name, const std::string& value);

    std::vector<std::string> settingNames() const;
    AdminPasswordInputs adminPasswordInputs(
        const std::vector<std::string>& args) const;  // "port", "data-dir"...: every dfp.* option

    // The three sources of settings, strongest first, layered into config() (precedence in
    // docs/operations.md): options write here; DFP_* variables; --config files.
    Poco::AutoPtr<Poco::Util::MapConfiguration> commandLine_;
    Poco::AutoPtr<Poco::Util::MapConfiguration> environment_;
    Poco::AutoPtr<Poco::Util::LayeredConfiguration> configFiles_;
    std::vector<std::string> settingNames_;  // every dfp.* option, in the order of --help
    unsigned configFileCount_ = 0;
    std::string configError_;  // a --config file that could not be read, reported by main()
    bool stopEarly_ = false;   // --help or --version: print and exit without serving
};

}  // namespace dfp::server
