// Running the server as an operator does: settings from the command line, the environment
// and a --config file (in that order of precedence), a log file that rotates, and SIGHUP to
// reopen it after logrotate moved it (docs/operations.md).

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/file_watch.h"
#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

constexpr auto kLogWait = 10s;

void writeFile(const std::filesystem::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

std::string greetingName(std::uint16_t port) {
    LineClient client(port);
    return client.readGreeting().field(2);
}

// The port of the `event=listening address=HOST:PORT` line in a log file.
std::uint16_t listeningPortIn(const std::filesystem::path& log) {
    BOOST_TEST_REQUIRE(waitForFileText(log, "event=listening", kStartupWait),
                       "no listening line in " << log << ":\n"
                                               << readWholeFile(log));
    const std::string text = readWholeFile(log);
    const auto line = text.find("event=listening");
    const auto colon = text.find_first_of(':', text.find("address=", line));
    const auto end = text.find_first_not_of("0123456789", colon + 1);
    std::uint16_t port = 0;
    std::from_chars(text.data() + colon + 1, text.data() + end, port);
    BOOST_TEST_REQUIRE(port != 0);
    return port;
}

// The soft and hard "Max open files" of a process, as /proc/PID/limits shows them.
std::pair<std::string, std::string> openFileLimits(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Max open files", 0) == 0) {
            std::istringstream fields(line.substr(std::string("Max open files").size()));
            std::string soft;
            std::string hard;
            fields >> soft >> hard;
            return {soft, hard};
        }
    }
    BOOST_FAIL("no open files line in /proc/" << pid << "/limits");
    return {};
}

struct OperatorFixture : ServerFixture {
    std::filesystem::path configFile() const { return tempPath() / "dfp-server.properties"; }
    std::filesystem::path logFile() const { return tempPath() / "logs" / "dfp.log"; }

    // A server that logs to logFile(): ServerProcess cannot see its listening line.
    std::unique_ptr<ServerProcess> startLoggingToFile(std::vector<std::string> extraArgs) {
        std::filesystem::create_directories(logFile().parent_path());
        extraArgs.push_back("--log-file=" + logFile().string());
        return std::make_unique<ServerProcess>(options(std::move(extraArgs)));
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(operations, OperatorFixture)

BOOST_AUTO_TEST_CASE(takes_settings_from_the_command_line_then_the_environment_then_the_file) {
    writeFile(configFile(), "# a comment\ndfp.name = from-file\ndfp.max-line = 100\n");
    const std::string config = "--config=" + configFile().string();
    {
        ServerProcess server(options({config}));
        BOOST_TEST(greetingName(server.awaitListening()) == "from-file");
        LineClient client(server.port());
        client.readGreeting();
        // dfp.max-line from the file is in force too: a longer line is refused with 414.
        BOOST_TEST(client.request("PING " + std::string(200, 'x')).code == 414);
    }
    {
        ServerOptions withEnvironment = options({config});
        withEnvironment.environment = {"DFP_NAME=from-environment"};
        ServerProcess server(withEnvironment);
        BOOST_TEST(greetingName(server.awaitListening()) == "from-environment");
    }
    {
        ServerOptions withAll = options({config, "--name=from-command-line"});
        withAll.environment = {"DFP_NAME=from-environment"};
        ServerProcess server(withAll);
        BOOST_TEST(greetingName(server.awaitListening()) == "from-command-line");
    }
}

// Every option of --help (but those that are not settings) is in the sample file, so an
// operator reading it sees everything there is.
BOOST_AUTO_TEST_CASE(the_sample_configuration_documents_every_setting) {
    ServerProcess help(options({"--help"}));
    BOOST_TEST_REQUIRE(help.expectExit(kStartupWait).isCleanZero());
    const std::string sample = readWholeFile(DFP_SAMPLE_CONFIG);
    BOOST_TEST_REQUIRE(!sample.empty());
    const std::set<std::string> notSettings = {"help",  "version", "config", "daemon",
                                               "umask", "option",  "pidfile"};
    const std::string text = help.log();
    const std::regex option(R"(--([a-z][a-z-]*))");
    int settings = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), option);
         it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[1];
        if (notSettings.contains(name)) {
            continue;
        }
        ++settings;
        BOOST_TEST(sample.find("dfp." + name + " =") != std::string::npos,
                   "dfp." << name << " is not in " << DFP_SAMPLE_CONFIG);
    }
    BOOST_TEST(settings >= 25);
}

// The sample with every setting switched on (but those naming files that do not exist here)
// is a configuration the server accepts; its values are the defaults.
BOOST_AUTO_TEST_CASE(starts_with_every_setting_of_the_sample_configuration) {
    std::istringstream sample(readWholeFile(DFP_SAMPLE_CONFIG));
    std::ostringstream enabled;
    const std::regex commented(R"(^#(dfp\.([a-z-]+) = .*)$)");
    const std::set<std::string> files = {"tls-cert", "tls-key", "admin-password-file", "log-file"};
    int switchedOn = 0;
    for (std::string line; std::getline(sample, line);) {
        std::smatch match;
        if (std::regex_match(line, match, commented) && !files.contains(match[2])) {
            enabled << match[1] << "\n";
            ++switchedOn;
        } else {
            enabled << line << "\n";
        }
    }
    BOOST_TEST_REQUIRE(switchedOn >= 15);
    writeFile(configFile(), enabled.str());
    // The sample's data dir and port are the packaged ones; the command line wins over them.
    ServerProcess server(options({"--config=" + configFile().string()}));
    BOOST_TEST(greetingName(server.awaitListening()) == "dfp");
    BOOST_TEST(server.port() != 58000);
    BOOST_TEST(std::filesystem::exists(dataDir() / "forum.db"));
}

BOOST_AUTO_TEST_CASE(refuses_to_start_on_an_unknown_setting_in_the_config_file) {
    writeFile(configFile(), "dfp.max-sesions = 5\n");
    ServerProcess server(options({"--config=" + configFile().string()}));
    const ExitStatus status = server.expectExit(kStartupWait);
    BOOST_TEST(status.exited());
    BOOST_TEST(status.exitCode() == 78);  // EX_CONFIG
    BOOST_TEST(server.log().find("unknown setting dfp.max-sesions") != std::string::npos,
               server.log());
}

BOOST_AUTO_TEST_CASE(refuses_to_start_when_the_log_file_cannot_be_opened) {
    ServerProcess server(options({"--log-file=" + (tempPath() / "missing" / "dfp.log").string()}));
    const ExitStatus status = server.expectExit(kStartupWait);
    BOOST_TEST(status.exitCode() == 78);
    BOOST_TEST(server.log().find("cannot open log file") != std::string::npos, server.log());
}

BOOST_AUTO_TEST_CASE(sighup_reopens_the_log_file_after_it_was_moved_away) {
    auto server = startLoggingToFile({});
    const std::uint16_t port = listeningPortIn(logFile());
    {
        LineClient before(port);
        before.readGreeting();
        before.login("before-move", kPassword);
    }
    BOOST_TEST_REQUIRE(waitForFileText(logFile(), "user=before-move", kLogWait));

    const auto moved = logFile().parent_path() / "dfp.log.moved";
    std::filesystem::rename(logFile(), moved);
    server->terminate(SIGHUP);
    BOOST_TEST_REQUIRE(waitForFileText(logFile(), "event=log-reopened", kLogWait));
    BOOST_TEST(server->running());

    LineClient after(port);
    after.readGreeting();
    after.login("after-move", kPassword);
    after.expect("XIT", 221);
    BOOST_TEST(waitForFileText(logFile(), "user=after-move", kLogWait));
    BOOST_TEST(readWholeFile(moved).find("after-move") == std::string::npos);

    server->terminate(SIGTERM);
    BOOST_TEST(server->expectExit().isCleanZero());
    BOOST_TEST(readWholeFile(logFile()).find("step=done") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rotates_the_log_file_and_keeps_only_the_newest_old_ones) {
    auto server = startLoggingToFile({"--log-rotate=1 K", "--log-keep=2"});
    const std::uint16_t port = listeningPortIn(logFile());
    // Each session logs two lines of about a hundred bytes: forty sessions make ~8 KiB.
    for (int i = 0; i < 40; ++i) {
        LineClient client(port);
        client.readGreeting();
        client.expect("XIT", 221);
    }
    server->terminate(SIGTERM);
    BOOST_TEST_REQUIRE(server->expectExit().isCleanZero());

    std::vector<std::string> archives;
    for (const auto& entry : std::filesystem::directory_iterator(logFile().parent_path())) {
        if (entry.path().filename() != "dfp.log") {
            archives.push_back(entry.path().filename().string());
        }
        BOOST_TEST(entry.file_size() < 4096u, entry.path() << " is not rotated");
    }
    BOOST_TEST(!archives.empty());
    BOOST_TEST(archives.size() <= 2u);
    BOOST_TEST(readWholeFile(logFile()).find("step=done") != std::string::npos);
}

// A shell's soft limit on open files is often 1024, short of a thousand sessions with their
// reply eventfds: the server raises its soft limit to the hard one and says so.
BOOST_AUTO_TEST_CASE(raises_its_open_file_limit_to_the_hard_limit) {
    rlimit mine{};
    BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &mine) == 0);
    BOOST_REQUIRE(mine.rlim_max > 64);
    rlimit lowered = mine;
    lowered.rlim_cur = std::min<rlim_t>(mine.rlim_max - 1, 1024);
    // The server inherits the lowered soft limit; this process gets its own back at once.
    BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    std::unique_ptr<ServerProcess> server;
    try {
        server = std::make_unique<ServerProcess>(options({}));
    } catch (...) {
        ::setrlimit(RLIMIT_NOFILE, &mine);
        throw;
    }
    BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &mine) == 0);
    server->awaitListening();
    const auto [soft, hard] = openFileLimits(server->pid());
    BOOST_TEST(soft == hard);
    BOOST_TEST(soft != std::to_string(lowered.rlim_cur));
    BOOST_TEST(server->waitForLog("event=fd-limit open-files=" + soft + " needed=2256"));
}

// A session limit that even the hard limit cannot serve is worth a warning: past the
// descriptors, new connections fail in accept() before the limit can answer 503.
BOOST_AUTO_TEST_CASE(warns_when_the_hard_limit_is_short_of_the_session_limit) {
    // Linux caps the hard limit at fs.nr_open (1,048,576 unless raised), below what a million
    // sessions need: 2 descriptors each and 256 more.
    ServerProcess server(options({"--max-sessions=1000000"}));
    server.awaitListening();
    BOOST_TEST(server.waitForLog("needed=2000256 max-sessions=1000000"));
    BOOST_TEST(server.log().find("Warning dfp.server: event=fd-limit") != std::string::npos,
               server.log());
}

BOOST_AUTO_TEST_SUITE_END()
