#include "storage/wal_index_mark.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace dfp::storage {
namespace {

constexpr std::size_t kHeaderBytes = 48;  // one copy of the WAL-index header
constexpr std::uint32_t kIndexVersion = 3007000;
constexpr std::size_t kIsInitOffset = 12;
static_assert(sizeof(CommitMark::bytes) == kHeaderBytes);

}  // namespace

std::optional<WalIndexMark> WalIndexMark::open(const std::filesystem::path& databaseFile) {
    const std::string shm = databaseFile.string() + "-shm";
    int fd = -1;
    do {
        fd = ::open(shm.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return std::nullopt;
    }
    return WalIndexMark(UniqueFd(fd));
}

std::optional<CommitMark> WalIndexMark::read() const {
    unsigned char both[2 * kHeaderBytes];
    ssize_t got = -1;
    do {
        got = ::pread(fd_.get(), both, sizeof both, 0);
    } while (got < 0 && errno == EINTR);
    if (got != static_cast<ssize_t>(sizeof both) ||
        std::memcmp(both, both + kHeaderBytes, kHeaderBytes) != 0) {
        return std::nullopt;  // no header yet, or one being written
    }
    std::uint32_t version = 0;
    std::memcpy(&version, both, sizeof version);
    if (version != kIndexVersion || both[kIsInitOffset] != 1) {
        return std::nullopt;
    }
    CommitMark mark;
    std::memcpy(mark.bytes.data(), both, kHeaderBytes);
    return mark;
}

}  // namespace dfp::storage
