// The local file pieces: the output path guard, the download temp file, sha256.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "client/download_file.h"
#include "client/output_path.h"
#include "client/sha256.h"
#include "support/temp_dir.h"

namespace dfp::client {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t entries(const fs::path& dir) {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

BOOST_AUTO_TEST_SUITE(output_path)

BOOST_AUTO_TEST_CASE(accepts_plain_file_names) {
    for (const char* name : {"notes.txt", "a", "ÉTÉ.png", "x..y", "-dash", "a b", "a\\b"}) {
        BOOST_TEST(!checkOutputName(name).has_value(), name);
    }
}

BOOST_AUTO_TEST_CASE(refuses_names_that_could_leave_the_directory) {
    for (const std::string& name :
         std::vector<std::string>{"", ".", "..", "../x", "a/b", "/etc/passwd", "a/", ".hidden",
                                  std::string("a\0b", 3)}) {
        BOOST_TEST(checkOutputName(name).has_value(), name);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(download_file)

BOOST_AUTO_TEST_CASE(appears_only_when_committed) {
    dfp::test::TempDir temp;
    {
        DownloadFile file(temp.path().string(), "a.txt", false);
        file.write("hel");
        file.write("lo");
        BOOST_TEST(!fs::exists(temp.path() / "a.txt"));
        file.commit(sha256Hex("hello"));
    }
    BOOST_TEST(readFile(temp.path() / "a.txt") == "hello");
    BOOST_TEST(entries(temp.path()) == 1u);
}

BOOST_AUTO_TEST_CASE(leaves_nothing_when_abandoned) {
    dfp::test::TempDir temp;
    {
        DownloadFile file(temp.path().string(), "a.txt", false);
        file.write("partial");
    }
    BOOST_TEST(entries(temp.path()) == 0u);
}

BOOST_AUTO_TEST_CASE(leaves_nothing_on_a_checksum_mismatch) {
    dfp::test::TempDir temp;
    DownloadFile file(temp.path().string(), "a.txt", false);
    file.write("hello");
    BOOST_CHECK_THROW(file.commit(sha256Hex("other")), std::runtime_error);
    BOOST_TEST(entries(temp.path()) == 0u);
}

BOOST_AUTO_TEST_CASE(does_not_replace_an_existing_file_unless_told) {
    dfp::test::TempDir temp;
    std::ofstream(temp.path() / "a.txt") << "mine";
    {
        DownloadFile file(temp.path().string(), "a.txt", false);
        file.write("new");
        try {
            file.commit(sha256Hex("new"));
            BOOST_FAIL("replaced an existing file");
        } catch (const std::system_error& error) {
            BOOST_TEST((error.code() == std::errc::file_exists));
        }
    }
    BOOST_TEST(readFile(temp.path() / "a.txt") == "mine");
    BOOST_TEST(entries(temp.path()) == 1u);

    DownloadFile forced(temp.path().string(), "a.txt", true);
    forced.write("new");
    forced.commit(sha256Hex("new"));
    BOOST_TEST(readFile(temp.path() / "a.txt") == "new");
}

BOOST_AUTO_TEST_CASE(replaces_a_symlink_rather_than_writing_through_it) {
    dfp::test::TempDir temp;
    fs::create_directory(temp.path() / "out");
    std::ofstream(temp.path() / "target.txt") << "untouched";
    fs::create_symlink(temp.path() / "target.txt", temp.path() / "out" / "a.txt");
    DownloadFile file((temp.path() / "out").string(), "a.txt", true);
    file.write("new");
    file.commit(sha256Hex("new"));
    BOOST_TEST(readFile(temp.path() / "target.txt") == "untouched");
    BOOST_TEST(!fs::is_symlink(temp.path() / "out" / "a.txt"));
    BOOST_TEST(readFile(temp.path() / "out" / "a.txt") == "new");
}

BOOST_AUTO_TEST_CASE(refuses_unsafe_names_and_missing_directories) {
    dfp::test::TempDir temp;
    BOOST_CHECK_THROW(DownloadFile(temp.path().string(), "../x", false), std::invalid_argument);
    BOOST_CHECK_THROW(DownloadFile((temp.path() / "missing").string(), "x", false),
                      std::system_error);
    BOOST_TEST(entries(temp.path()) == 0u);
}

BOOST_AUTO_TEST_CASE(tells_whether_a_name_exists) {
    dfp::test::TempDir temp;
    BOOST_TEST(!outputExists(temp.path().string(), "a.txt"));
    fs::create_symlink(temp.path() / "nowhere", temp.path() / "a.txt");
    BOOST_TEST(outputExists(temp.path().string(), "a.txt"));  // dangling counts
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sha256)

BOOST_AUTO_TEST_CASE(matches_the_published_test_vectors) {
    BOOST_TEST(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(sha256Hex("abc") ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(hashes_in_pieces_as_in_one) {
    Sha256 pieces;
    pieces.update("a");
    pieces.update("bc");
    BOOST_TEST(pieces.hexDigest() == sha256Hex("abc"));
}

BOOST_AUTO_TEST_CASE(digests_a_file_and_refuses_a_directory) {
    dfp::test::TempDir temp;
    std::ofstream(temp.path() / "abc.txt") << "abc";
    const FileDigest digest = digestFile((temp.path() / "abc.txt").string());
    BOOST_TEST(digest.size == 3u);
    BOOST_TEST(digest.sha256 == sha256Hex("abc"));
    BOOST_CHECK_THROW(digestFile(temp.path().string()), std::system_error);
    BOOST_CHECK_THROW(digestFile((temp.path() / "missing").string()), std::system_error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dfp::client
