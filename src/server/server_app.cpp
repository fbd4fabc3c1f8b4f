#include "server/server_app.h"

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include <Poco/AutoPtr.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include "server/connection.h"
#include "server/hangup_watcher.h"
#include "server/log_output.h"
#include "server/parking_lot.h"
#include "server/reply_cache.h"
#include "server/server_options.h"
#include "server/session_registry.h"
#include "server/tls_context.h"
#include "storage/forum_store.h"

namespace dfp::server {

using Poco::Util::Option;
using Poco::Util::OptionCallback;

namespace {

// Threads beyond the session limit, so a connection over the limit still finds a thread
// that can answer 503 even if the acceptor's check raced with a session starting.
constexpr int kSpareThreads = 8;
constexpr int kThreadStackSize = 1 << 20;

void blockSignals() {
    // Blocked before any thread starts, so every thread inherits the mask: SIGINT/SIGTERM reach
    // only waitForTerminationRequest()'s sigwait in the main thread, SIGHUP only HangupWatcher.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A peer that vanishes must surface as an error on that session, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
}

// Descriptors a server of maxSessions needs at most: a socket and a DeferredReply's eventfd
// per session, and a margin for the listener, SQLite's files, the log and uploads.
std::uint64_t descriptorsNeeded(std::uint64_t maxSessions) {
    return 2 * maxSessions + 256;
}

// Raises the soft limit on open files to the hard limit (the soft one is often 1024, which a
// thousand sessions with their eventfds pass); says so in the log, and warns when even the
// hard limit is short of what maxSessions needs, since accept() then fails with EMFILE
// before the session limit answers 503.
void raiseDescriptorLimit(Poco::Logger& log, std::uint64_t maxSessions) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            limit = raised;
        }
    }
    const std::uint64_t needed = descriptorsNeeded(maxSessions);
    const std::uint64_t have =
        limit.rlim_cur == RLIM_INFINITY ? needed : static_cast<std::uint64_t>(limit.rlim_cur);
    if (have < needed) {
        log.warning(
            "event=fd-limit open-files=%s needed=%s max-sessions=%s hint=\"raise the "
            "hard limit (LimitNOFILE=, ulimit -Hn) or lower dfp.max-sessions\"",
            std::to_string(have), std::to_string(needed), std::to_string(maxSessions));
    } else {
        log.information("event=fd-limit open-files=%s needed=%s", std::to_string(have),
                        std::to_string(needed));
    }
}

// A dfp.* key in a config file that no option has is a typo the operator wants to hear about.
void checkKnownSettings(const Poco::Util::AbstractConfiguration& files,
                        const std::vector<std::string>& names) {
    Poco::Util::AbstractConfiguration::Keys keys;
    files.keys("dfp", keys);
    for (const std::string& key : keys) {
        if (std::find(names.begin(), names.end(), key) == names.end()) {
            throw ConfigError("unknown setting dfp." + key + " in the config file");
        }
    }
}

// Poco::Net::initializeSSL() for as long as the server runs, and its undoing.
class SslLibrary {
public:
    SslLibrary() { Poco::Net::initializeSSL(); }
    ~SslLibrary() { Poco::Net::uninitializeSSL(); }
    SslLibrary(const SslLibrary&) = delete;
    SslLibrary& operator=(const SslLibrary&) = delete;
};

}  // namespace

ServerApp::ServerApp()
    : commandLine_(new Poco::Util::MapConfiguration),
      configFiles_(new Poco::Util::LayeredConfiguration) {
    // Above Poco's own application layer, so nothing Poco writes there can shadow a flag.
    config().add(commandLine_, "command-line", PRIO_APPLICATION - 1, false);
    config().add(configFiles_, "config-files", PRIO_DEFAULT, false);
}

void ServerApp::initialize(Poco::Util::Application& self) {
    ServerApplication::initialize(self);
    // Between the command line and the files; made here because the option names it looks
    // for are known only once the options are defined.
    environment_ = settingsFromEnvironment(settingNames(), ::getenv);
    config().add(environment_, "environment", (PRIO_APPLICATION + PRIO_DEFAULT) / 2, false);
    // Until main() has read the settings, startup errors go to stderr.
    ServerConfig defaults;
    installLogOutput(defaults);
}

std::vector<std::string> ServerApp::settingNames() const {
    return settingNames_;
}

void ServerApp::setFromCommandLine(const std::string& name, const std::string& value) {
    commandLine_->setString("dfp." + name, value);
}

void ServerApp::defineOptions(Poco::Util::OptionSet& options) {
    ServerApplication::defineOptions(options);
    // Each setting reaches commandLine_ through a callback, not Option::binding(name, config):
    // Poco 1.11's Option copies and destroys its bound configuration's reference count
    // unevenly, which freed commandLine_ twice when the application was destroyed.
    auto setting = [&](const char* name) {
        settingNames_.emplace_back(name);
        return Option(name, "", "")
            .required(false)
            .repeatable(false)
            .callback(OptionCallback<ServerApp>(this, &ServerApp::setFromCommandLine));
    };
    auto value = [&](const char* name, const char* arg, const char* help) {
        options.addOption(setting(name).description(help).argument(arg));
    };
    value("port", "N", "port to listen on (default 58000; 0 picks a free one)");
    value("bind", "ADDR", "address to listen on (default 127.0.0.1)");
    value("data-dir", "DIR", "where forum.db and the files live (default ./dfp-data)");
    value("admin-password-file", "F", "file holding the admin password for SHT");
    value("max-sessions", "N", "most connections at once; more get 503 (default 1000)");
    value("max-file-size", "BYTES", "largest upload accepted (default 1073741824)");
    value("max-line", "BYTES", "longest request line, LF included (default 8192)");
    value("idle-timeout", "SECONDS", "close sessions idle this long, with 601 (default 1800)");
    value("io-timeout", "SECONDS",
          "end a session whose read or write stalls this long (default 60)");
    value("drain-timeout", "SECONDS", "how long shutdown waits for sessions to leave (default 5)");
    value("first-line-timeout", "SECONDS",
          "a new connection must send a whole request within (default 60)");
    value("login-timeout", "SECONDS", "a new connection must log in within (default 120)");
    value("max-prelogin-sessions", "N",
          "most connections not yet logged in; the oldest makes way (default 256)");
    value("login-failures-per-address", "N",
          "failed logins from one address before 429 for a window (default 20)");
    value("login-failures-per-account", "N",
          "failed logins for one account before 429 for a window (default 10)");
    value("login-throttle-window", "SECONDS", "how long those counts last (default 300)");
    value("password-hash-cost", "LEVEL", "argon2id cost: interactive (default), moderate, min");
    value("read-cache", "BYTES",
          "memory for RDT and LST replies, served again while unchanged (default 33554432; "
          "0 turns it off)");
    value("password-hash-threads", "N",
          "password hashes computed at once, each using 64 MiB at the interactive cost "
          "(default 0: half the CPU threads, at least one)");
    value("workers", "N",
          "threads serving plain TCP sessions' requests (default 0: one per CPU thread)");
    value("sync", "MODE", "normal (default: survives a process crash) or full (fsync each commit)");
    value("name", "NAME", "server name shown in the greeting (default dfp)");
    value("log-level", "LEVEL", "error, warning, information (default) or debug");
    value("log-file", "FILE", "log to FILE instead of stderr; SIGHUP reopens it");
    value("log-rotate", "WHEN",
          "rotate the log file at a size ('10 M', the default), an age ('daily') or 'never'");
    value("log-keep", "N", "rotated log files to keep (default 10)");
    value("tls-cert", "FILE",
          "serve TLS with this PEM certificate (chain); needs --tls-key (default: plain TCP)");
    value("tls-key", "FILE", "the certificate's private key, PEM, not encrypted");
    options.addOption(setting("no-register")
                          .description("refuse unknown users (403) instead of registering them"));
    options.addOption(Option("config", "", "load settings from a properties file (dfp.* keys)")
                          .required(false)
                          .repeatable(true)
                          .argument("FILE")
                          .callback(OptionCallback<ServerApp>(this, &ServerApp::loadConfigFile)));
    options.addOption(Option("help", "h", "show this help and exit")
                          .required(false)
                          .repeatable(false)
                          .callback(OptionCallback<ServerApp>(this, &ServerApp::showHelp)));
    options.addOption(Option("version", "", "show the version and exit")
                          .required(false)
                          .repeatable(false)
                          .callback(OptionCallback<ServerApp>(this, &ServerApp::showVersion)));
}

void ServerApp::loadConfigFile(const std::string& /*name*/, const std::string& value) {
    try {
        // A later --config file overrides an earlier one; all are below the environment.
        Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file(
            new Poco::Util::PropertyFileConfiguration(value));
        configFiles_->add(file, -static_cast<int>(++configFileCount_));
    } catch (const Poco::Exception& e) {
        configError_ = "cannot read config file " + value + ": " + e.displayText();
        stopOptionsProcessing();
    }
}

AdminPasswordInputs ServerApp::adminPasswordInputs(const std::vector<std::string>& args) const {
    auto get = [](const Poco::Util::AbstractConfiguration& layer) -> std::optional<std::string> {
        if (layer.hasProperty("dfp.admin-password-file")) {
            return layer.getString("dfp.admin-password-file");
        }
        return std::nullopt;
    };
    AdminPasswordInputs inputs;
    if (args.size() == 2) {
        inputs.positional = args[1];
    }
    inputs.commandLineFile = get(*commandLine_);
    if (const char* env = std::getenv("DFP_ADMIN_PASSWORD"); env != nullptr && *env != '\0') {
        inputs.environment = env;
    }
    inputs.environmentFile = get(*environment_);
    inputs.configFile = get(*configFiles_);
    return inputs;
}

void ServerApp::showVersion(const std::string& /*name*/, const std::string& /*value*/) {
    std::cout << "dfp-server " << DFP_VERSION << " (DFP/1)\n";
    stopEarly_ = true;
    stopOptionsProcessing();
}

void ServerApp::showHelp(const std::string& /*name*/, const std::string& /*value*/) {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("[PORT [ADMIN_PASSWORD]] [--option=value...]");
    help.setHeader("dfp-server: the DFP/1 forum server.");
    help.setFooter(
        "Every setting may also come from the environment, as DFP_DATA_DIR for --data-dir, "
        "or from a properties file (--config) as dfp.data-dir. The command line wins over "
        "the environment, which wins over the file. SIGHUP reopens the log file. See "
        "dfp-server(1).");
    help.format(std::cout);
    stopEarly_ = true;
    stopOptionsProcessing();
}

int ServerApp::main(const std::vector<std::string>& args) {
    if (stopEarly_) {
        return EXIT_OK;
    }
    // Before any thread starts (the store's, the pool's), so all of them inherit the mask.
    blockSignals();
    Poco::Logger& log = Poco::Logger::get("dfp.server");

    ServerConfig settings;
    // Declared before anything that holds a TLS context, so it is undone after them.
    std::optional<SslLibrary> sslLibrary;
    Poco::Net::Context::Ptr tlsContext;
    std::unique_ptr<storage::ForumStore> store;
    Poco::AutoPtr<LogFile> logFile;
    try {
        if (!configError_.empty()) {
            throw ConfigError(configError_);
        }
        checkKnownSettings(*configFiles_, settingNames());
        settings = readServerConfig(config(), args);
        logFile = installLogOutput(settings);
        // Before the data dir is touched: a certificate that cannot be used stops everything.
        if (settings.tls()) {
            sslLibrary.emplace();
            tlsContext = makeServerTlsContext(settings);
        }
        storage::StoreOptions storeOptions;
        storeOptions.dataDir = settings.dataDir;
        storeOptions.passwordCost = settings.passwordCost;
        storeOptions.maxConcurrentHashes = settings.passwordHashThreads;
        storeOptions.durability = settings.durability;
        storeOptions.maxFileSize = settings.maxFileSize;
        store = storage::openForumStore(storeOptions);
        auto admin = resolveAdminPassword(adminPasswordInputs(args), settings.dataDir);
        settings.adminPassword = admin.password;
        log.information("event=admin-password source=\"%s\"", admin.origin);
    } catch (const ConfigError& e) {
        log.fatal("event=startup-failed error=\"%s\"", std::string(e.what()));
        return EXIT_CONFIG;
    } catch (const TlsSetupError& e) {
        log.fatal("event=startup-failed error=\"%s\"", std::string(e.what()));
        return EXIT_CONFIG;
    } catch (const storage::StoreOpenError& e) {
        log.fatal("event=startup-failed error=\"%s\"", std::string(e.what()));
        return EXIT_DATAERR;
    } catch (const std::exception& e) {
        log.fatal("event=startup-failed error=\"%s\"", std::string(e.what()));
        return EXIT_SOFTWARE;
    }
    log.information("event=startup version=%s data-dir=\"%s\" schema-version=%d",
                    std::string(DFP_VERSION), settings.dataDir.string(), store->schemaVersion());
    raiseDescriptorLimit(log, settings.maxSessions);

    HangupWatcher hangups([&log, logFile]() mutable {
        if (logFile) {
            logFile->reopen();
            log.information("event=log-reopened");
        } else {
            log.information("event=sighup logging-to=stderr");
        }
    });

    // With TLS the listener hands out sockets whose handshake happens on first use, which is
    // on the session's thread (connection.cpp), never on the acceptor's.
    Poco::Net::ServerSocket listener =
        settings.tls() ? Poco::Net::SecureServerSocket(tlsContext) : Poco::Net::ServerSocket();
    try {
        // No SO_REUSEPORT: a second server on the same port must fail, not share it.
        listener.bind(Poco::Net::SocketAddress(settings.bindAddress, settings.port),
                      /*reuseAddress=*/true, /*reusePort=*/false);
        listener.listen(1024);
    } catch (const Poco::Exception& e) {
        log.fatal("event=startup-failed error=\"cannot listen on %s:%hu: %s\"",
                  settings.bindAddress, settings.port, e.displayText());
        return EXIT_UNAVAILABLE;
    }

    SessionRegistry registry(settings.maxSessions, settings.maxPreLoginSessions);
    registry.onShutdownRequested([] { ServerApplication::terminate(); });
    LoginThrottle throttle({settings.loginFailuresPerAddress, settings.loginFailuresPerAccount,
                            settings.loginThrottleWindow});
    ReplyCache replies(settings.readCacheBytes, ServerConfig::readCacheEntryBytes);
    ServerContext context{settings, *store, registry, throttle,
                          settings.readCacheBytes > 0 ? &replies : nullptr};

    const int capacity = static_cast<int>(settings.maxSessions) + kSpareThreads;
    // Plain TCP sessions wait for requests in the parking lot, served by one worker per CPU:
    // each takes what has arrived in arrival order and rarely sleeps under load, where more
    // workers only wake and preempt one another (docs/performance.md). A TLS session keeps
    // its thread, since OpenSSL's state is for one thread at a time. A worker waiting for long
    // is replaced for as long as its session waits, which the session's own share of the
    // capacity covers; the workers themselves come on top of it.
    const unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
    const unsigned workers = settings.tls() ? 0 : (settings.workers > 0 ? settings.workers : cpus);
    Poco::ThreadPool pool("dfp-session", 2, capacity + static_cast<int>(workers), 60,
                          kThreadStackSize);
    auto* params = new Poco::Net::TCPServerParams;
    // A TLS session runs on the acceptor's dispatcher thread for as long as it lasts. A plain
    // one only has its greeting sent there before it parks, so one dispatcher per CPU keeps
    // up with any burst of connections, where a thread for each would only crowd the CPUs.
    params->setMaxThreads(settings.tls() ? capacity : static_cast<int>(cpus));
    params->setMaxQueued(capacity);
    // How long an idle dispatcher waits for the next connection before it hands its thread
    // back to the pool. Poco 1.11's TCPServer::stop() can miss waking an idle dispatcher
    // (pocoproject/poco#2746, #3796), which then holds pool.joinAll() below for this long:
    // 1 s instead of the default 10 bounds how late shutdown can be.
    params->setThreadIdleTime(Poco::Timespan(1, 0));
    std::optional<ParkingLot> parking;
    if (workers > 0) {
        parking.emplace(pool, workers, registry.shutdownFd());
        context.parking = &*parking;
    }
    {
        Poco::Net::TCPServer server(new SessionConnectionFactory(context), pool, listener, params);
        server.setConnectionFilter(new SessionLimitFilter(context));
        server.start();
        log.information("event=listening address=%s tls=%s workers=%u",
                        listener.address().toString(), std::string(settings.tls() ? "on" : "off"),
                        workers);

        waitForTerminationRequest();
        log.information("event=shutdown step=stop-accepting open-sessions=%u",
                        registry.openSessions());
        registry.requestShutdown();
        server.stop();

        const auto deadline = std::chrono::steady_clock::now() + settings.drainTimeout;
        if (!registry.waitUntilEmpty(deadline)) {
            log.warning("event=shutdown step=abort-stragglers open-sessions=%u",
                        registry.openSessions());
            registry.abortAll();
            registry.waitUntilEmpty(std::chrono::steady_clock::now() + std::chrono::seconds(2));
        }
        log.information("event=shutdown step=sessions-closed");
    }
    // Before the pool is joined, since the workers run on it; the lot itself stays until the
    // end, refusing to park the sessions of threads that may still be finishing.
    if (parking) {
        parking->stop();
    }
    pool.joinAll();
    log.information("event=shutdown step=threads-joined");
    store->checkpoint();
    store.reset();
    log.information("event=shutdown step=done");
    return EXIT_OK;
}

}  // namespace dfp::server
