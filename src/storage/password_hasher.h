#pragma once

// Salted, memory-hard password hashes (argon2id via libsodium's crypto_pwhash_str), with a
// bound on how many run at once (internal to src/storage).
//
// Thread-safety: safe from any number of threads; callers beyond the bound wait their turn, in
// the order they came.
// Each hash costs the memory of its PasswordCost (64 MiB for Interactive), so without the
// bound a burst of logins could exhaust memory.

#include <string>
#include <string_view>

#include "storage/fifo_slots.h"
#include "storage/forum_store.h"

namespace dfp::storage {

class PasswordHasher {
public:
    // maxConcurrent 0 = half the hardware threads, at least one. sodium_init() must have run.
    PasswordHasher(PasswordCost cost, unsigned maxConcurrent);
    PasswordHasher(const PasswordHasher&) = delete;
    PasswordHasher& operator=(const PasswordHasher&) = delete;

    // The encoded hash ("$argon2id$..."), salt and limits included. Throws std::bad_alloc if
    // libsodium cannot get the memory.
    std::string hash(std::string_view password);
    // Whether password matches a hash produced by hash() (at whatever cost it was made).
    bool verify(const std::string& encodedHash, std::string_view password);

private:
    unsigned long long opsLimit_;
    std::size_t memLimit_;
    FifoSlots slots_;
};

}  // namespace dfp::storage
