#include "bench/runner.h"

#include <sys/resource.h>

#include <condition_variable>
#include <cstdio>
#include <latch>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "bench/bench_client.h"
#include "bench/idle_pool.h"
#include "bench/rss_watch.h"
#include "bench/workloads.h"

namespace dfp::bench {
namespace {

std::string randomRunId() {
    std::random_device random;
    char text[16];
    std::snprintf(text, sizeof text, "b%08x", static_cast<unsigned>(random()));
    return text;
}

double secondsBetween(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

Clock::duration timeoutOf(const Options& options) {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options.timeoutSeconds));
}

// One group of clients and everything its threads write: each client its own slots.
struct GroupRun {
    GroupPlan plan;
    Budget budget;
    std::unique_ptr<SeedMixRounds> rounds;
    std::vector<Recorder> measured;
    std::vector<Recorder> setup;
    std::vector<Clock::time_point> finishedAt;
    std::vector<std::thread> threads;

    GroupRun(GroupPlan p, const Options& options)
        : plan(std::move(p)),
          budget(options.ops),
          measured(plan.clients),
          setup(plan.clients),
          finishedAt(plan.clients) {
        if (plan.workload == Workload::SeedMix) {
            rounds = std::make_unique<SeedMixRounds>(plan.clients, budget, options.rounds);
        }
    }
};

// Times a new connection's greeting every interval while the idle sessions are held.
class GreetingProbe {
public:
    GreetingProbe(const Endpoint& endpoint, const Options& options, Recorder& recorder)
        : endpoint_(endpoint), options_(options), recorder_(recorder) {}

    void start() {
        thread_ = std::thread([this] { run(); });
    }

    void stop() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) {
            thread_.join();
        }
    }

private:
    void run() {
        const auto interval = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double, std::milli>(options_.probeIntervalMs));
        BenchClient client(endpoint_, timeoutOf(options_));
        std::unique_lock lock(mu_);
        while (!stop_) {
            lock.unlock();
            const auto next = Clock::now() + interval;
            recorder_.record(Command::Connect, client.connect());
            client.close();
            lock.lock();
            wake_.wait_until(lock, next, [this] { return stop_; });
        }
    }

    const Endpoint& endpoint_;
    const Options& options_;
    Recorder& recorder_;  // written only by the probe thread until stop() joins it
    std::mutex mu_;
    std::condition_variable wake_;
    bool stop_ = false;  // guarded by mu_
    std::thread thread_;
};

}  // namespace

unsigned long raiseFileLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return 0;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return static_cast<unsigned long>(limit.rlim_cur);
}

Report runBench(const Options& options) {
    Report report;
    report.runId = options.runId.empty() ? randomRunId() : options.runId;
    const unsigned long fileLimit = raiseFileLimit();

    Endpoint endpoint;
    try {
        endpoint = Endpoint::resolve(options.host, options.port);
    } catch (const IoError& e) {
        throw RunError(e.what());
    }
    report.server = endpoint.text();
    {
        BenchClient probe(endpoint, timeoutOf(options));
        const Outcome greeted = probe.connect();
        if (!greeted.ok) {
            throw RunError("cannot reach a DFP/1 server at " + endpoint.text() + ": " +
                           greeted.problem);
        }
    }

    std::vector<std::unique_ptr<GroupRun>> groups;
    if (options.workload != Workload::Idle) {
        groups.push_back(std::make_unique<GroupRun>(
            planGroup(options, report.runId, "main", options.workload, options.clients, 0),
            options));
    }
    if (options.active > 0) {
        groups.push_back(std::make_unique<GroupRun>(
            planGroup(options, report.runId, "active", options.activeWorkload, options.active, 1),
            options));
    }

    std::unique_ptr<IdlePool> idlePool;
    if (options.workload == Workload::Idle) {
        const unsigned needed = options.clients + options.active + 64;
        if (fileLimit < needed) {
            throw RunError("the open-file limit is " + std::to_string(fileLimit) + ", " +
                           std::to_string(options.clients) + " idle sessions need about " +
                           std::to_string(needed));
        }
        report.idle.emplace();
        report.idle->requested = options.clients;
        idlePool = std::make_unique<IdlePool>(endpoint, report.runId + "i", options.password,
                                              options.clients, timeoutOf(options));
        const auto openStart = Clock::now();
        idlePool->open(report.idle->recorder);
        report.idle->openSeconds = secondsBetween(openStart, Clock::now());
        report.idle->opened = idlePool->opened();
    }

    for (auto& group : groups) {
        try {
            setUpGroup(options, endpoint, group->plan);
        } catch (const SetupError& e) {
            throw RunError("setup of " + std::string(workloadName(group->plan.workload)) +
                           " failed: " + e.what());
        }
    }

    unsigned totalClients = 0;
    for (auto& group : groups) {
        totalClients += group->plan.clients;
    }
    std::latch ready(static_cast<std::ptrdiff_t>(totalClients));
    std::latch go(1);
    for (auto& group : groups) {
        GroupRun& g = *group;
        for (unsigned i = 0; i < g.plan.clients; ++i) {
            g.threads.emplace_back([&, i] {
                ClientRun client(ClientContext{options, endpoint, g.plan, i, g.budget,
                                               g.rounds.get(), g.measured[i], g.setup[i]});
                client.setUp();
                ready.count_down();
                go.wait();
                client.run();
                g.finishedAt[i] = Clock::now();
                client.tearDown();
            });
        }
    }
    ready.wait();

    std::unique_ptr<RssWatch> rss;
    if (options.serverPid) {
        rss = std::make_unique<RssWatch>(*options.serverPid);
        rss->begin();
    }
    const auto start = Clock::now();
    std::optional<Clock::time_point> deadline;
    if (options.durationSeconds) {
        deadline = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(*options.durationSeconds));
    }
    for (auto& group : groups) {
        group->budget.setDeadline(deadline);
        if (group->rounds) {
            group->rounds->begin(start);
        }
    }

    std::thread holder;
    std::unique_ptr<GreetingProbe> probe;
    if (idlePool) {
        holder = std::thread([&] { idlePool->hold(); });
        probe = std::make_unique<GreetingProbe>(endpoint, options, report.idle->recorder);
        probe->start();
    }
    go.count_down();

    for (auto& group : groups) {
        for (std::thread& thread : group->threads) {
            thread.join();
        }
    }
    if (groups.empty() && deadline) {
        // Idle alone: nothing to wait for but the clock.
        std::this_thread::sleep_until(*deadline);
    }
    const auto end = Clock::now();
    if (idlePool) {
        probe->stop();
        idlePool->stop();
        holder.join();
        report.idle->lost = idlePool->lost();
        report.idle->heldSeconds = secondsBetween(start, end);
    }
    if (rss) {
        report.rss = rss->end();
    }
    for (auto& group : groups) {
        try {
            tearDownGroup(options, endpoint, group->plan);
        } catch (const SetupError& e) {
            report.problems.push_back("teardown of " +
                                      std::string(workloadName(group->plan.workload)) +
                                      " failed: " + e.what());
        }
    }

    for (auto& group : groups) {
        GroupReport out;
        out.role = group->plan.role;
        out.workload = group->plan.workload;
        out.clients = group->plan.clients;
        Clock::time_point last = start;
        for (unsigned i = 0; i < group->plan.clients; ++i) {
            out.measured.merge(group->measured[i]);
            out.setup.merge(group->setup[i]);
            last = std::max(last, group->finishedAt[i]);
        }
        if (group->rounds) {
            last = group->rounds->finishedAt();
            out.phases = group->rounds->phases(out.measured);
        }
        out.seconds = secondsBetween(start, last);
        report.groups.push_back(std::move(out));
    }
    return report;
}

}  // namespace dfp::bench
