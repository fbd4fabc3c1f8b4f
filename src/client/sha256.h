#pragma once

// SHA-256 in lower-case hex (the form DWN sends and UPD may carry, protocol.md §4), computed
// incrementally with libsodium so that files of any size stream through.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <sodium.h>

namespace dfp::client {

class Sha256 {
public:
    Sha256();
    void update(std::string_view bytes);
    std::string hexDigest();  // finishes the hash; call once

private:
    crypto_hash_sha256_state state_;
};

std::string sha256Hex(std::string_view bytes);

struct FileDigest {
    std::uint64_t size = 0;
    std::string sha256;
};

// Reads from fd to its end, front to back; progress, if set, hears the bytes read so far.
FileDigest digestDescriptor(int fd, const std::function<void(std::uint64_t)>& progress = {});

// Reads the file at path once, front to back. Throws std::system_error if it cannot be opened
// or read, or is not a regular file.
FileDigest digestFile(const std::string& path);

}  // namespace dfp::client
