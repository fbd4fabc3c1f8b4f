#include "client/download_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "client/output_path.h"

namespace dfp::client {
namespace {

constexpr int kTempAttempts = 16;

std::string randomSuffix() {
    unsigned char bytes[6];
    randombytes_buf(bytes, sizeof bytes);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string suffix;
    for (unsigned char byte : bytes) {
        suffix += kHex[byte >> 4];
        suffix += kHex[byte & 0x0F];
    }
    return suffix;
}

FileDescriptor openDirectory(const std::string& path) {
    FileDescriptor dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
        throwErrno("output directory " + path);
    }
    return dir;
}

}  // namespace

DownloadFile::DownloadFile(const std::string& outDir, std::string name, bool overwrite)
    : outDir_(outDir), name_(std::move(name)), overwrite_(overwrite), dir_(openDirectory(outDir)) {
    if (const std::optional<std::string> problem = checkOutputName(name_)) {
        throw std::invalid_argument(*problem);
    }
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium failed to initialise");
    }
    // A hidden name next to the final one: same file system, so the rename is atomic, and
    // O_EXCL|O_NOFOLLOW so that nothing already there (a symlink planted by someone) is used.
    for (int attempt = 0; attempt < kTempAttempts && !file_.valid(); ++attempt) {
        tempName_ = "." + name_ + ".dfp-part-" + randomSuffix();
        file_ =
            FileDescriptor(::openat(dir_.get(), tempName_.c_str(),
                                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
        if (!file_.valid() && errno != EEXIST) {
            throwErrno("cannot create a file in " + outDir_);
        }
    }
    if (!file_.valid()) {
        throwErrno("cannot create a file in " + outDir_);
    }
}

DownloadFile::~DownloadFile() {
    discard();
}

void DownloadFile::write(std::string_view bytes) {
    writeAll(file_.get(), bytes.data(), bytes.size());
    hash_.update(bytes);
}

void DownloadFile::commit(const std::string& expectedSha256) {
    try {
        file_.close();
        const std::string actual = hash_.hexDigest();
        if (actual != expectedSha256) {
            throw std::runtime_error("checksum mismatch: the server announced sha256 " +
                                     expectedSha256 + " but the bytes hash to " + actual);
        }
        int result = 0;
        if (overwrite_) {
            result = ::renameat(dir_.get(), tempName_.c_str(), dir_.get(), name_.c_str());
        } else {
            // Atomic no-replace: a file that appeared since the check before DWN is kept.
            result = ::renameat2(dir_.get(), tempName_.c_str(), dir_.get(), name_.c_str(),
                                 RENAME_NOREPLACE);
            if (result != 0 && (errno == EINVAL || errno == ENOSYS)) {
                // A file system without renameat2 flags: link() also refuses to replace.
                result = ::linkat(dir_.get(), tempName_.c_str(), dir_.get(), name_.c_str(), 0);
            }
        }
        if (result != 0) {
            throwErrno(finalPath());
        }
    } catch (...) {
        discard();
        throw;
    }
    // After a rename the temp name is gone; after a link it still needs removing.
    ::unlinkat(dir_.get(), tempName_.c_str(), 0);
    done_ = true;
}

void DownloadFile::discard() noexcept {
    if (done_) {
        return;
    }
    done_ = true;
    try {
        file_.close();
    } catch (...) {
        // The file is being thrown away; a failed close changes nothing.
    }
    ::unlinkat(dir_.get(), tempName_.c_str(), 0);
}

std::string DownloadFile::finalPath() const {
    return outDir_ == "." ? name_ : outDir_ + (outDir_.ends_with('/') ? "" : "/") + name_;
}

bool outputExists(const std::string& outDir, const std::string& name) {
    const FileDescriptor dir = openDirectory(outDir);
    struct stat info {};
    return ::fstatat(dir.get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
}

}  // namespace dfp::client
