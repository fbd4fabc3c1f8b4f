#pragma once

// SHA-256 for checking transfers (protocol.md §4: UPD's optional digest, DWN's lower-case hex).
// OpenSSL's, because it uses the CPU's SHA instructions where they exist: at 1 GiB per
// transfer the bench must not spend the cores it shares with the server on hashing.
// Not copyable; one per transfer.

#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace dfp::bench {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view bytes);
    // Lower-case hex of everything updated since construction or the last hex(); restarts.
    std::string hex();

    static std::string of(std::string_view bytes);

private:
    evp_md_ctx_st* context_;
};

}  // namespace dfp::bench
