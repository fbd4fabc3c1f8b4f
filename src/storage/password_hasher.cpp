#include "storage/password_hasher.h"

#include <new>
#include <thread>

#include <sodium.h>

namespace dfp::storage {
namespace {

unsigned long long opsLimitFor(PasswordCost cost) {
    switch (cost) {
        case PasswordCost::Interactive:
            return crypto_pwhash_OPSLIMIT_INTERACTIVE;
        case PasswordCost::Moderate:
            return crypto_pwhash_OPSLIMIT_MODERATE;
        case PasswordCost::Minimum:
            return crypto_pwhash_OPSLIMIT_MIN;
    }
    return crypto_pwhash_OPSLIMIT_INTERACTIVE;
}

std::size_t memLimitFor(PasswordCost cost) {
    switch (cost) {
        case PasswordCost::Interactive:
            return crypto_pwhash_MEMLIMIT_INTERACTIVE;
        case PasswordCost::Moderate:
            return crypto_pwhash_MEMLIMIT_MODERATE;
        case PasswordCost::Minimum:
            return crypto_pwhash_MEMLIMIT_MIN;
    }
    return crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

// By default hashing may take half the hardware threads, at least one: a crowd logging in
// then leaves the other half to everyone else's requests (docs/performance-history.md).
std::size_t slotCount(unsigned maxConcurrent) {
    if (maxConcurrent == 0) {
        maxConcurrent = std::thread::hardware_concurrency() / 2;
    }
    return maxConcurrent == 0 ? 1 : maxConcurrent;
}

}  // namespace

PasswordHasher::PasswordHasher(PasswordCost cost, unsigned maxConcurrent)
    : opsLimit_(opsLimitFor(cost)),
      memLimit_(memLimitFor(cost)),
      slots_(slotCount(maxConcurrent)) {}

std::string PasswordHasher::hash(std::string_view password) {
    char encoded[crypto_pwhash_STRBYTES];
    {
        const FifoSlots::Held slot(slots_);
        // crypto_pwhash_str fails only when it cannot allocate its memory (the limits are
        // valid constants), so that is what its failure means.
        if (crypto_pwhash_str(encoded, password.data(), password.size(), opsLimit_, memLimit_) !=
            0) {
            throw std::bad_alloc();
        }
    }
    return std::string(encoded);
}

bool PasswordHasher::verify(const std::string& encodedHash, std::string_view password) {
    const FifoSlots::Held slot(slots_);
    return crypto_pwhash_str_verify(encodedHash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace dfp::storage
