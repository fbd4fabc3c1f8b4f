#pragma once

// Streaming SHA-256 (internal to src/storage). OpenSSL's implementation uses the CPU's SHA
// instructions: about 1.2 GiB/s here against libsodium's 0.22 GiB/s, which capped upload
// throughput (docs/performance-history.md).
//
// Not thread-safe: one per upload or file being hashed.

#include <memory>
#include <string>
#include <string_view>

namespace dfp::storage {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view bytes);
    void update(const void* data, std::size_t size);
    // The digest in lower-case hex. Ends this hash: call nothing after it.
    std::string finishHex();

private:
    struct Context;
    std::unique_ptr<Context> context_;
};

}  // namespace dfp::storage
