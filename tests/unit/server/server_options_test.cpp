// Settings from the command line, the environment and --config files (server_options.h):
// the names, the precedence, and the admin password's sources.

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>

#include "server/server_options.h"
#include "support/temp_dir.h"

using dfp::server::AdminPasswordInputs;
using dfp::server::ConfigError;
using dfp::server::environmentVariableFor;
using dfp::server::readServerConfig;
using dfp::server::resolveAdminPassword;
using dfp::server::settingsFromEnvironment;
using Poco::AutoPtr;
using Poco::Util::LayeredConfiguration;
using Poco::Util::MapConfiguration;

namespace {

void writeFile(const std::filesystem::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

// A layered configuration like the server's: command line over environment over file.
struct Layers {
    AutoPtr<MapConfiguration> commandLine{new MapConfiguration};
    AutoPtr<MapConfiguration> environment{new MapConfiguration};
    AutoPtr<MapConfiguration> file{new MapConfiguration};
    AutoPtr<LayeredConfiguration> merged{new LayeredConfiguration};

    Layers() {
        merged->add(commandLine, -101);
        merged->add(environment, -50);
        merged->add(file, 0);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(server_options)

BOOST_AUTO_TEST_CASE(names_each_setting_s_environment_variable) {
    BOOST_TEST(environmentVariableFor("port") == "DFP_PORT");
    BOOST_TEST(environmentVariableFor("data-dir") == "DFP_DATA_DIR");
    BOOST_TEST(environmentVariableFor("login-failures-per-address") ==
               "DFP_LOGIN_FAILURES_PER_ADDRESS");
}

BOOST_AUTO_TEST_CASE(takes_only_known_settings_that_are_set_and_not_empty_from_the_environment) {
    const std::map<std::string, std::string> environment = {
        {"DFP_DATA_DIR", "/srv/dfp"},
        {"DFP_NAME", ""},
        {"DFP_NOT_A_SETTING", "x"},
        {"PATH", "/usr/bin"},
    };
    auto lookup = [&](const char* name) -> const char* {
        auto found = environment.find(name);
        return found == environment.end() ? nullptr : found->second.c_str();
    };
    auto settings = settingsFromEnvironment({"data-dir", "name", "port"}, lookup);
    BOOST_TEST(settings->getString("dfp.data-dir") == "/srv/dfp");
    BOOST_TEST(!settings->hasProperty("dfp.name"));
    BOOST_TEST(!settings->hasProperty("dfp.port"));
    BOOST_TEST(!settings->hasProperty("dfp.not-a-setting"));
}

BOOST_AUTO_TEST_CASE(the_command_line_beats_the_environment_which_beats_the_file) {
    Layers layers;
    layers.file->setString("dfp.name", "from-file");
    layers.file->setString("dfp.max-sessions", "7");
    layers.file->setString("dfp.idle-timeout", "11");
    layers.environment->setString("dfp.name", "from-environment");
    layers.environment->setString("dfp.max-sessions", "8");
    layers.commandLine->setString("dfp.name", "from-command-line");
    const auto settings = readServerConfig(*layers.merged, {});
    BOOST_TEST(settings.serverName == "from-command-line");
    BOOST_TEST(settings.maxSessions == 8u);
    BOOST_TEST(settings.idleTimeout.count() == 11);
    BOOST_TEST(settings.loginTimeout.count() == 120);  // nobody set it: the default
}

BOOST_AUTO_TEST_CASE(a_positional_port_is_command_line_and_beats_dfp_port_anywhere) {
    Layers layers;
    layers.file->setString("dfp.port", "1111");
    layers.environment->setString("dfp.port", "2222");
    BOOST_TEST(readServerConfig(*layers.merged, {}).port == 2222);
    BOOST_TEST(readServerConfig(*layers.merged, {"3333"}).port == 3333);
}

BOOST_AUTO_TEST_CASE(reads_the_worker_count_where_zero_means_one_per_cpu) {
    Layers layers;
    BOOST_TEST(readServerConfig(*layers.merged, {}).workers == 0u);
    layers.file->setString("dfp.workers", "3");
    BOOST_TEST(readServerConfig(*layers.merged, {}).workers == 3u);
    layers.commandLine->setString("dfp.workers", "1025");
    BOOST_CHECK_THROW(readServerConfig(*layers.merged, {}), ConfigError);
    layers.commandLine->setString("dfp.workers", "two");
    BOOST_CHECK_THROW(readServerConfig(*layers.merged, {}), ConfigError);
}

BOOST_AUTO_TEST_CASE(reads_the_log_settings_and_refuses_an_unknown_level) {
    Layers layers;
    auto defaults = readServerConfig(*layers.merged, {});
    BOOST_TEST(defaults.logFile.empty());
    BOOST_TEST(defaults.logLevel == "information");
    layers.file->setString("dfp.log-file", "/var/log/dfp/dfp.log");
    layers.file->setString("dfp.log-rotate", "daily");
    layers.file->setString("dfp.log-keep", "3");
    auto settings = readServerConfig(*layers.merged, {});
    BOOST_TEST(settings.logFile == "/var/log/dfp/dfp.log");
    BOOST_TEST(settings.logRotation == "daily");
    BOOST_TEST(settings.logKeep == 3u);
    layers.commandLine->setString("dfp.log-level", "chatty");
    BOOST_CHECK_THROW(readServerConfig(*layers.merged, {}), ConfigError);
    layers.commandLine->setString("dfp.log-level", "debug");
    layers.environment->setString("dfp.log-keep", "0");
    BOOST_CHECK_THROW(readServerConfig(*layers.merged, {}), ConfigError);
}

BOOST_AUTO_TEST_CASE(the_admin_password_comes_from_the_strongest_source) {
    dfp::test::TempDir temp;
    const auto cliFile = temp.path() / "cli";
    const auto envFile = temp.path() / "env";
    const auto configFile = temp.path() / "config";
    writeFile(cliFile, "from cli file\n");
    writeFile(envFile, "from env file\r\n");
    writeFile(configFile, "from config file");

    AdminPasswordInputs inputs;
    inputs.configFile = configFile.string();
    BOOST_TEST(resolveAdminPassword(inputs, temp.path()).password == "from config file");
    inputs.environmentFile = envFile.string();
    BOOST_TEST(resolveAdminPassword(inputs, temp.path()).password == "from env file");
    inputs.environmentFile.reset();
    inputs.environment = "from environment";
    BOOST_TEST(resolveAdminPassword(inputs, temp.path()).password == "from environment");
    inputs.commandLineFile = cliFile.string();
    BOOST_TEST(resolveAdminPassword(inputs, temp.path()).password == "from cli file");
    inputs.commandLineFile.reset();
    inputs.positional = "from positional";
    BOOST_TEST(resolveAdminPassword(inputs, temp.path()).password == "from positional");
    BOOST_TEST(!std::filesystem::exists(temp.path() / "admin-password"));
}

BOOST_AUTO_TEST_CASE(refuses_two_admin_passwords_at_the_same_level) {
    dfp::test::TempDir temp;
    writeFile(temp.path() / "pw", "secret\n");
    AdminPasswordInputs commandLine;
    commandLine.positional = "secret";
    commandLine.commandLineFile = (temp.path() / "pw").string();
    BOOST_CHECK_THROW(resolveAdminPassword(commandLine, temp.path()), ConfigError);
    AdminPasswordInputs environment;
    environment.environment = "secret";
    environment.environmentFile = (temp.path() / "pw").string();
    BOOST_CHECK_THROW(resolveAdminPassword(environment, temp.path()), ConfigError);
}

BOOST_AUTO_TEST_CASE(generates_a_private_password_once_when_none_is_given) {
    dfp::test::TempDir temp;
    const auto first = resolveAdminPassword({}, temp.path());
    BOOST_TEST(first.password.size() >= 20u);
    struct stat info {};
    BOOST_TEST_REQUIRE(::stat((temp.path() / "admin-password").c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600u);
    BOOST_TEST(resolveAdminPassword({}, temp.path()).password == first.password);
}

BOOST_AUTO_TEST_SUITE_END()
