#pragma once

// PipelinedSha256: SHA-256 of a stream, optionally computed on a thread of its own (internal
// to src/storage). A 1 GiB upload is received, hashed and written by one session thread;
// hashing (1.4 GB/s with the CPU's SHA instructions) was half of that thread's time and so
// bounded the upload. Pipelined, update() copies the bytes into a buffer and returns, and
// the hash thread works through the buffers in order while the caller receives and writes
// the next bytes. Without the thread (small uploads, where starting one costs more than it
// saves) update() hashes in place.
//
// Not thread-safe: one caller, as Sha256. At most kQueued chunks wait for the hash thread;
// update() blocks while that many do.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/sha256.h"

namespace dfp::storage {

class PipelinedSha256 {
public:
    explicit PipelinedSha256(bool pipelined);
    ~PipelinedSha256();  // stops the hash thread; bytes not yet hashed are dropped
    PipelinedSha256(const PipelinedSha256&) = delete;
    PipelinedSha256& operator=(const PipelinedSha256&) = delete;

    void update(std::string_view bytes);
    // The digest in lower-case hex, once every update is hashed. Ends this hash. Throws what
    // hashing threw.
    std::string finishHex();

private:
    static constexpr std::size_t kQueued = 2;

    void run();

    Sha256 sha_;  // the hash thread's while it runs
    std::mutex mu_;
    std::condition_variable changed_;
    std::deque<std::string> queued_;  // guarded by mu_: chunks in order, not yet hashed
    std::vector<std::string> spare_;  // guarded by mu_: hashed chunks, kept for their capacity
    bool hashing_ = false;            // guarded by mu_: the thread is hashing a chunk
    bool stopping_ = false;           // guarded by mu_
    std::exception_ptr error_;        // guarded by mu_: what hashing threw
    std::thread thread_;              // last: started once the rest is ready
};

}  // namespace dfp::storage
