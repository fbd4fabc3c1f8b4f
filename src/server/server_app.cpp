#include "server/server_app.h"

#include <csignal>
#include <iostream>
#include <memory>
#include <optional>

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/PatternFormatter.h>
#include <Poco/ThreadPool.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>

#include "server/connection.h"
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

void blockTerminationSignals() {
    // Blocked before any thread starts, so every thread inherits the mask and SIGINT/SIGTERM
    // reach only waitForTerminationRequest()'s sigwait in the main thread.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A peer that vanishes must surface as an error on that session, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
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

void ServerApp::initialize(Poco::Util::Application& self) {
    ServerApplication::initialize(self);
    // Logs go to stderr, one event a line, unless the configuration sets up logging itself.
    if (!config().hasProperty("logging.loggers.root.channel")) {
        Poco::AutoPtr<Poco::PatternFormatter> formatter(
            new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
        Poco::AutoPtr<Poco::FormattingChannel> channel(
            new Poco::FormattingChannel(formatter, new Poco::ConsoleChannel));
        Poco::Logger::root().setChannel(channel);
        Poco::Logger::root().setLevel(config().getString("dfp.log-level", "information"));
    }
}

void ServerApp::defineOptions(Poco::Util::OptionSet& options) {
    ServerApplication::defineOptions(options);
    auto value = [&](const char* name, const char* arg, const char* help) {
        options.addOption(Option(name, "", help)
                              .required(false)
                              .repeatable(false)
                              .argument(arg)
                              .binding(std::string("dfp.") + name));
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
    value("sync", "MODE", "normal (default: survives a process crash) or full (fsync each commit)");
    value("name", "NAME", "server name shown in the greeting (default dfp)");
    value("log-level", "LEVEL", "error, warning, information (default) or debug");
    value("tls-cert", "FILE",
          "serve TLS with this PEM certificate (chain); needs --tls-key (default: plain TCP)");
    value("tls-key", "FILE", "the certificate's private key, PEM, not encrypted");
    options.addOption(
        Option("no-register", "", "refuse unknown users (403) instead of registering them")
            .required(false)
            .repeatable(false)
            .binding("dfp.no-register"));
    options.addOption(Option("config", "", "load settings from a Poco properties file")
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
    // Below the command line (PRIO_APPLICATION), so a flag given beside --config wins.
    loadConfiguration(value, PRIO_DEFAULT);
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
        "Settings may also come from a properties file (--config) under the same "
        "names prefixed with 'dfp.'.");
    help.format(std::cout);
    stopEarly_ = true;
    stopOptionsProcessing();
}

int ServerApp::main(const std::vector<std::string>& args) {
    if (stopEarly_) {
        return EXIT_OK;
    }
    Poco::Logger& log = Poco::Logger::get("dfp.server");

    ServerConfig settings;
    // Declared before anything that holds a TLS context, so it is undone after them.
    std::optional<SslLibrary> sslLibrary;
    Poco::Net::Context::Ptr tlsContext;
    std::unique_ptr<storage::ForumStore> store;
    try {
        settings = readServerConfig(config(), args);
        // Before the data dir is touched: a certificate that cannot be used stops everything.
        if (settings.tls()) {
            sslLibrary.emplace();
            tlsContext = makeServerTlsContext(settings);
        }
        storage::StoreOptions storeOptions;
        storeOptions.dataDir = settings.dataDir;
        storeOptions.passwordCost = settings.passwordCost;
        storeOptions.durability = settings.durability;
        storeOptions.maxFileSize = settings.maxFileSize;
        store = storage::openForumStore(storeOptions);
        auto admin = resolveAdminPassword(config(), args, settings.dataDir);
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

    blockTerminationSignals();

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
    ServerContext context{settings, *store, registry, throttle};

    const int capacity = static_cast<int>(settings.maxSessions) + kSpareThreads;
    Poco::ThreadPool pool("dfp-session", 2, capacity, 60, kThreadStackSize);
    auto* params = new Poco::Net::TCPServerParams;
    params->setMaxThreads(capacity);
    params->setMaxQueued(capacity);
    {
        Poco::Net::TCPServer server(new SessionConnectionFactory(context), pool, listener, params);
        server.setConnectionFilter(new SessionLimitFilter(context));
        server.start();
        log.information("event=listening address=%s tls=%s", listener.address().toString(),
                        std::string(settings.tls() ? "on" : "off"));

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
    pool.joinAll();
    store->checkpoint();
    store.reset();
    log.information("event=shutdown step=done");
    return EXIT_OK;
}

}  // namespace dfp::server
