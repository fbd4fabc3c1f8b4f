#pragma once

// What each workload does: the setup of a group before the clock starts (a thread to read,
// threads to list, a file to download), the script of one client, and the teardown after the
// clock stops, which removes the files a run uploaded (a gigabyte each, at run-all's sizes). User
// names and titles all begin with the run id, so repeated runs against one server never collide.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_client.h"
#include "bench/budget.h"
#include "bench/options.h"
#include "bench/recorder.h"
#include "bench/seed_mix_rounds.h"

namespace dfp::bench {

class SetupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One group's plan, read-only for its clients once setUpGroup() has run.
struct GroupPlan {
    std::string role;  // "main" or "active"
    Workload workload = Workload::SeedMix;
    unsigned clients = 0;
    std::string userPrefix;   // <run-id>g<group>: then c<client>, r<round>...
    std::string titlePrefix;  // <run-id>-g<group>
    std::string sharedTitle;  // post --shared, read, download: the one thread they use
    std::string listedTitle;  // list: one of the threads made, which LST must show
    std::string fileName;     // download
    std::shared_ptr<const FileContent> content;  // upload, download
};

GroupPlan planGroup(const Options& options, const std::string& runId, std::string role,
                    Workload workload, unsigned clients, int index);

// The group's shared setup, on one connection. Throws SetupError if the server refuses.
void setUpGroup(const Options& options, const Endpoint& endpoint, GroupPlan& plan);
// Undoes what of the setup takes room on the server (download: the file), on one connection
// as the setup's user, once every client is done. Throws SetupError if the server refuses.
void tearDownGroup(const Options& options, const Endpoint& endpoint, const GroupPlan& plan);

struct ClientContext {
    const Options& options;
    const Endpoint& endpoint;
    const GroupPlan& plan;
    unsigned index;
    Budget& budget;
    SeedMixRounds* rounds;  // seed-mix only
    Recorder& measured;
    Recorder& setup;
};

// One client: setUp() before the start latch (log in, create its thread...), run() after it,
// tearDown() once its measured part is over (removes what it uploaded, says XIT). Errors are
// recorded, never thrown.
class ClientRun {
public:
    explicit ClientRun(ClientContext context);

    void setUp();
    void run();
    void tearDown();

private:
    void runSeedMix();
    void seedMixRound(std::uint64_t round);
    void runPost();
    void runRead();
    void runList();
    void runLogin();
    void runUpload();
    void runDownload();
    Outcome download();  // one DWN of the group's file, every byte checked
    void leave();        // XIT

    // Claims one operation, runs it and records it; false if not run or it failed.
    template <typename Operation>
    bool measure(Command command, Operation&& operation);

    std::string messageText(std::uint64_t number) const;

    ClientContext c_;
    BenchClient client_;
    std::string user_;
    std::string title_;
    bool ready_ = false;                 // setUp() succeeded
    std::vector<std::string> uploaded_;  // upload: the files it stored, for tearDown()
};

}  // namespace dfp::bench
