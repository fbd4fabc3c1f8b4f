#pragma once

// A fresh directory under $TMPDIR (or /tmp) for one test, removed with everything in it when
// the fixture goes. CTest runs binaries in parallel, so tests never use fixed paths.

#include <filesystem>

namespace dfp::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace dfp::test
