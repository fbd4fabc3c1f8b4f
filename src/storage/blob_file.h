#pragma once

// Whole-file operations on stored blobs for the operator's tools (internal to src/storage):
// hashing a blob to check it against its row, and putting a blob into a backup.

#include <cstdint>
#include <filesystem>
#include <string>

namespace dfp::storage {

struct FileDigest {
    std::uint64_t size = 0;
    std::string sha256;  // lower-case hex, as stored in files.sha256
};

// Reads the whole file. Throws std::system_error (ENOENT if it does not exist).
FileDigest hashFile(const std::filesystem::path& path);

enum class BlobPlacement { Linked, Copied };

// Puts the bytes of from at to, which must not exist: a hard link when allowed (blobs are
// never modified in place, so a link is as good as a copy and costs nothing), else (another
// file system, or alwaysCopy) a copy that is fsynced before it returns. The caller fsyncs
// the directory of to. Throws std::system_error (ENOENT if from does not exist); a failed
// copy removes its partial file.
BlobPlacement placeBlob(const std::filesystem::path& from, const std::filesystem::path& to,
                        bool alwaysCopy);

}  // namespace dfp::storage
