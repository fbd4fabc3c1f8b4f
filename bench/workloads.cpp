#include "bench/workloads.h"

#include <chrono>
#include <utility>
#include <vector>

namespace dfp::bench {
namespace {

// The seed-mix round.
constexpr int kSeedMixPosts = 200;
constexpr int kSeedMixReads = 20;
constexpr int kSeedMixLists = 20;

enum class Step { NotRun, Failed, Ok };

Clock::duration timeoutOf(const Options& options) {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options.timeoutSeconds));
}

std::string textOfSize(std::string prefix, std::size_t size) {
    // Printable filler after a prefix that starts with a letter: the text is the rest of the
    // line (protocol.md §1), so it must not start with a space.
    prefix.reserve(size);
    while (prefix.size() < size) {
        prefix += static_cast<char>('a' + prefix.size() % 26);
    }
    prefix.resize(size);
    return prefix;
}

void require(const Outcome& outcome, std::string_view what) {
    if (!outcome.ok) {
        throw SetupError(std::string(what) + ": " + outcome.problem);
    }
}

}  // namespace

GroupPlan planGroup(const Options& options, const std::string& runId, std::string role,
                    Workload workload, unsigned clients, int index) {
    GroupPlan plan;
    plan.role = std::move(role);
    plan.workload = workload;
    plan.clients = clients;
    plan.userPrefix = runId + "g" + std::to_string(index);
    plan.titlePrefix = runId + "-g" + std::to_string(index);
    switch (workload) {
        case Workload::Post:
            if (options.shared) {
                plan.sharedTitle = plan.titlePrefix + "shared";
            }
            break;
        case Workload::Read:
            plan.sharedTitle = plan.titlePrefix + "read";
            break;
        case Workload::List:
            plan.listedTitle = plan.titlePrefix + "l0";
            break;
        case Workload::Download:
            plan.sharedTitle = plan.titlePrefix + "files";
            plan.fileName = "bench.bin";
            break;
        default:
            break;
    }
    return plan;
}

void setUpGroup(const Options& options, const Endpoint& endpoint, GroupPlan& plan) {
    if (plan.workload == Workload::Upload || plan.workload == Workload::Download) {
        plan.content = std::make_shared<FileContent>(options.fileSize);
    }
    const bool needsConnection = !plan.sharedTitle.empty() || plan.workload == Workload::List;
    if (!needsConnection) {
        return;
    }
    BenchClient client(endpoint, timeoutOf(options));
    const std::string user = plan.userPrefix + "setup";
    require(client.connect(), "setup connect");
    require(client.login(user, options.password, /*newAccount=*/true), "setup login");

    std::vector<std::string> lines;
    std::vector<Expectation> expectations;
    if (!plan.sharedTitle.empty()) {
        require(client.request("CRT " + plan.sharedTitle, expectThreadCreated(plan.sharedTitle)),
                "setup CRT");
    }
    if (plan.workload == Workload::Read) {
        for (std::uint64_t n = 1; n <= options.threadSize; ++n) {
            lines.push_back(
                "MSG " + plan.sharedTitle + " " +
                textOfSize("setup message " + std::to_string(n) + " ", options.messageSize));
            expectations.push_back(expectPosted(n));
        }
    } else if (plan.workload == Workload::List) {
        for (std::uint64_t n = 0; n < options.threadCount; ++n) {
            const std::string title = plan.titlePrefix + "l" + std::to_string(n);
            lines.push_back("CRT " + title);
            expectations.push_back(expectThreadCreated(title));
        }
    }
    if (!lines.empty()) {
        require(client.pipeline(lines, expectations), "setup pipeline");
    }
    if (plan.workload == Workload::Download) {
        require(client.upload(plan.sharedTitle, plan.fileName, *plan.content), "setup UPD");
    }
    client.request("XIT", expectGoodbye());
}

void tearDownGroup(const Options& options, const Endpoint& endpoint, const GroupPlan& plan) {
    if (plan.workload != Workload::Download) {
        return;
    }
    BenchClient client(endpoint, timeoutOf(options));
    require(client.connect(), "teardown connect");
    require(client.login(plan.userPrefix + "setup", options.password, /*newAccount=*/false),
            "teardown login");
    require(client.request("RMF " + plan.sharedTitle + " " + plan.fileName,
                           expectRemoved(plan.fileName)),
            "teardown RMF");
    client.request("XIT", expectGoodbye());
}

ClientRun::ClientRun(ClientContext context)
    : c_(context), client_(context.endpoint, timeoutOf(context.options)) {}

template <typename Operation>
bool ClientRun::measure(Command command, Operation&& operation) {
    if (!client_.isConnected() || !c_.budget.claim()) {
        return false;
    }
    const Outcome outcome = operation();
    c_.measured.record(command, outcome);
    return outcome.ok;
}

std::string ClientRun::messageText(std::uint64_t number) const {
    return textOfSize("bench message " + std::to_string(number) + " ", c_.options.messageSize);
}

void ClientRun::setUp() {
    const GroupPlan& plan = c_.plan;
    user_ = plan.userPrefix + "c" + std::to_string(c_.index);
    title_ = plan.sharedTitle.empty() ? plan.titlePrefix + "c" + std::to_string(c_.index)
                                      : plan.sharedTitle;
    if (plan.workload == Workload::SeedMix) {
        ready_ = true;  // each round registers its own user: that is part of the mix
        return;
    }
    auto step = [&](Command command, const Outcome& outcome) {
        c_.setup.record(command, outcome);
        return outcome.ok;
    };
    Outcome userOutcome;
    ready_ = step(Command::Connect, client_.connect()) &&
             step(Command::Pass,
                  client_.login(user_, c_.options.password, /*newAccount=*/true, &userOutcome));
    const bool ownThread = plan.workload == Workload::Post || plan.workload == Workload::Upload;
    if (ready_ && ownThread && plan.sharedTitle.empty()) {
        ready_ = step(Command::Crt, client_.request("CRT " + title_, expectThreadCreated(title_)));
    }
    if (ready_ && plan.workload == Workload::Download) {
        // The first download of a file just uploaded reads it from the disk (an upload keeps
        // its bytes out of the page cache: docs/storage.md), at the disk's speed. It is done
        // here, with the setup (the report's setup_commands), so that the measured downloads
        // time the server sending a file from memory, as iperf3 sends memory.
        ready_ = step(Command::Dwn, download());
    }
    if (plan.workload == Workload::Login) {
        leave();  // the account exists now; each measured login connects anew
    }
}

void ClientRun::run() {
    if (!ready_) {
        return;
    }
    switch (c_.plan.workload) {
        case Workload::SeedMix:
            runSeedMix();
            break;
        case Workload::Post:
            runPost();
            break;
        case Workload::Read:
            runRead();
            break;
        case Workload::List:
            runList();
            break;
        case Workload::Login:
            runLogin();
            break;
        case Workload::Upload:
            runUpload();
            break;
        case Workload::Download:
            runDownload();
            break;
        case Workload::Idle:
            break;
    }
}

void ClientRun::tearDown() {
    if (!uploaded_.empty() && !client_.isConnected()) {
        // The run lost its connection after storing files: log in again to remove them.
        const Outcome connected = client_.connect();
        c_.setup.record(Command::Connect, connected);
        if (connected.ok) {
            c_.setup.record(Command::Pass, client_.login(user_, c_.options.password,
                                                         /*newAccount=*/false));
        }
    }
    for (const std::string& file : uploaded_) {
        if (!client_.isConnected()) {
            c_.setup.recordError("RMF " + file + ": no connection, the file stays on the server");
            continue;
        }
        c_.setup.record(Command::Rmf,
                        client_.request("RMF " + title_ + " " + file, expectRemoved(file)));
    }
    leave();
}

void ClientRun::leave() {
    if (client_.isConnected()) {
        const Outcome left = client_.request("XIT", expectGoodbye());
        c_.setup.record(Command::Xit, left);
        if (left.ok && !client_.awaitClose()) {
            c_.setup.recordError("XIT: the server did not close the connection cleanly");
        }
    }
    client_.close();
}

void ClientRun::runSeedMix() {
    for (std::uint64_t round = 0; c_.rounds->goOn(); ++round) {
        seedMixRound(round);
    }
}

void ClientRun::seedMixRound(std::uint64_t round) {
    const std::string suffix = "c" + std::to_string(c_.index) + "r" + std::to_string(round);
    const std::string user = c_.plan.userPrefix + suffix;
    const std::string title = c_.plan.titlePrefix + suffix;

    // login: register, create the thread. Connecting rides on USER's claim: it is reported
    // (CONNECT) but is not a request.
    bool loggedIn = false;
    if (c_.budget.claim()) {
        const Outcome connected = client_.connect();
        c_.measured.record(Command::Connect, connected);
        if (connected.ok) {
            const Outcome sent = client_.request("USER " + user, expectUser(true));
            c_.measured.record(Command::User, sent);
            loggedIn =
                sent.ok && measure(Command::Pass, [&] {
                    return client_.request("PASS " + c_.options.password, expectPass(user, true));
                });
        }
    }
    const bool haveThread = loggedIn && measure(Command::Crt, [&] {
                                return client_.request("CRT " + title, expectThreadCreated(title));
                            });
    c_.rounds->endPhase();

    // post: message k of a fresh thread only this client writes to must be number k.
    std::uint64_t posted = 0;
    for (int i = 0; i < kSeedMixPosts && haveThread; ++i) {
        const std::string line = "MSG " + title + " " + messageText(posted + 1);
        if (measure(Command::Msg,
                    [&] { return client_.request(line, expectPosted(posted + 1)); })) {
            ++posted;
        }
    }
    c_.rounds->endPhase();

    for (int i = 0; i < kSeedMixReads && haveThread; ++i) {
        measure(Command::Rdt,
                [&] { return client_.request("RDT " + title, expectEntries(posted)); });
    }
    c_.rounds->endPhase();

    for (int i = 0; i < kSeedMixLists && loggedIn; ++i) {
        measure(Command::Lst, [&] {
            return client_.request("LST", haveThread ? expectListing(1, title) : expectListing());
        });
    }
    if (loggedIn &&
        measure(Command::Xit, [&] { return client_.request("XIT", expectGoodbye()); })) {
        client_.awaitClose();
    }
    client_.close();
    c_.rounds->endPhase();
}

void ClientRun::runPost() {
    const bool shared = !c_.plan.sharedTitle.empty();
    std::uint64_t posted = 0;
    for (;;) {
        const std::string line = "MSG " + title_ + " " + messageText(posted + 1);
        const std::optional<std::uint64_t> number =
            shared ? std::nullopt : std::optional<std::uint64_t>(posted + 1);
        bool ran = false;
        const bool ok = measure(Command::Msg, [&] {
            ran = true;
            return client_.request(line, expectPosted(number));
        });
        if (!ran) {
            return;
        }
        posted += ok ? 1 : 0;
    }
}

void ClientRun::runRead() {
    const std::string line = "RDT " + c_.plan.sharedTitle;
    while (client_.isConnected() && !c_.budget.exhausted()) {
        measure(Command::Rdt,
                [&] { return client_.request(line, expectEntries(c_.options.threadSize)); });
    }
}

void ClientRun::runList() {
    while (client_.isConnected() && !c_.budget.exhausted()) {
        measure(Command::Lst, [&] {
            return client_.request("LST",
                                   expectListing(c_.options.threadCount, c_.plan.listedTitle));
        });
    }
}

void ClientRun::runLogin() {
    while (c_.budget.claim()) {
        const Outcome connected = client_.connect();
        c_.measured.record(Command::Connect, connected);
        if (!connected.ok) {
            continue;
        }
        Outcome user;
        const Outcome pass = client_.login(user_, c_.options.password, /*newAccount=*/false, &user);
        c_.measured.record(Command::User, user);
        if (user.ok) {
            c_.measured.record(Command::Pass, pass);
        }
        if (client_.isConnected()) {
            const Outcome left = client_.request("XIT", expectGoodbye());
            c_.measured.record(Command::Xit, left);
            if (left.ok && !client_.awaitClose()) {
                c_.measured.recordError("XIT: the server did not close the connection cleanly");
            }
        }
        client_.close();
    }
}

void ClientRun::runUpload() {
    for (std::uint64_t n = 0; client_.isConnected() && !c_.budget.exhausted(); ++n) {
        const std::string file = "f" + std::to_string(n);
        if (measure(Command::Upd, [&] { return client_.upload(title_, file, *c_.plan.content); })) {
            uploaded_.push_back(file);
        }
    }
}

Outcome ClientRun::download() {
    const GroupPlan& plan = c_.plan;
    return client_.request("DWN " + plan.sharedTitle + " " + plan.fileName,
                           expectFile(plan.fileName, plan.content->size(), plan.content->sha256(),
                                      plan.content->block()));
}

void ClientRun::runDownload() {
    while (client_.isConnected() && !c_.budget.exhausted()) {
        measure(Command::Dwn, [&] { return download(); });
    }
}

}  // namespace dfp::bench
