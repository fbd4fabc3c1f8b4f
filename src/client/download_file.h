#pragma once

// A download on its way to disk (docs/client.md). The bytes go to a temp file created with
// O_EXCL in the output directory; only when the body is complete and its sha256 verified is
// it renamed to its name, and without --force/--overwrite never over an existing file. Every
// other ending removes the temp file, so a failed download leaves nothing behind. The name is
// used only as one component inside the directory (checkOutputName), and the directory is
// held open, so the file cannot land anywhere else. Not copyable; one thread.

#include <string>
#include <string_view>

#include "client/posix_fd.h"
#include "client/sha256.h"

namespace dfp::client {

class DownloadFile {
public:
    // Throws std::system_error if the directory cannot be opened or the temp file created,
    // std::invalid_argument if name fails checkOutputName.
    DownloadFile(const std::string& outDir, std::string name, bool overwrite);
    ~DownloadFile();
    DownloadFile(const DownloadFile&) = delete;
    DownloadFile& operator=(const DownloadFile&) = delete;

    void write(std::string_view bytes);

    // Checks the sha256 of everything written against expected (lower-case hex), then moves
    // the file into place. Throws std::runtime_error on a mismatch, std::system_error if the
    // file exists (EEXIST, unless overwriting) or cannot be moved; the temp file is removed
    // either way.
    void commit(const std::string& expectedSha256);

    // Removes the temp file now (the destructor does it too).
    void discard() noexcept;

    std::string finalPath() const;  // outDir/name, for messages

private:
    std::string outDir_;
    std::string name_;
    std::string tempName_;
    bool overwrite_;
    FileDescriptor dir_;
    FileDescriptor file_;
    Sha256 hash_;
    bool done_ = false;  // committed or discarded
};

// True if name already exists in outDir (a dangling symlink counts).
bool outputExists(const std::string& outDir, const std::string& name);

}  // namespace dfp::client
