#include "client/sha256.h"

#include <vector>

#include "client/posix_fd.h"

namespace dfp::client {

Sha256::Sha256() {
    crypto_hash_sha256_init(&state_);
}

void Sha256::update(std::string_view bytes) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
}

std::string Sha256::hexDigest() {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state_, digest);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * sizeof digest);
    for (unsigned char byte : digest) {
        hex += kHex[byte >> 4];
        hex += kHex[byte & 0x0F];
    }
    return hex;
}

std::string sha256Hex(std::string_view bytes) {
    Sha256 hash;
    hash.update(bytes);
    return hash.hexDigest();
}

FileDigest digestDescriptor(int fd, const std::function<void(std::uint64_t)>& progress) {
    FileDigest digest;
    Sha256 hash;
    std::vector<char> buffer(kFileChunk);
    for (;;) {
        const std::size_t count = readSome(fd, buffer.data(), buffer.size());
        if (count == 0) {
            break;
        }
        hash.update(std::string_view(buffer.data(), count));
        digest.size += count;
        if (progress) {
            progress(digest.size);
        }
    }
    digest.sha256 = hash.hexDigest();
    return digest;
}

FileDigest digestFile(const std::string& path) {
    const FileDescriptor file = openForReading(path);
    return digestDescriptor(file.get());
}

}  // namespace dfp::client
