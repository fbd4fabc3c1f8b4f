#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "storage/sqlite_forum_store.h"
#include "support/storage_fixture.h"

using dfp::storage::describe;
using dfp::storage::FileInfo;
using dfp::storage::StoreError;
using dfp::test::outcome;
using dfp::test::StoreFixture;

namespace {

// FIPS 180-2 test vectors.
constexpr char kSha256OfAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kSha256OfNothing[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Users Yoda (creator of "Topic") and Luke, and an optional hook set for the store.
struct TopicFixture : StoreFixture {
    explicit TopicFixture(dfp::storage::StoreTestHooks hooks = {}) : store(open(std::move(hooks))) {
        BOOST_REQUIRE(store->createUser("Yoda", "pw"));
        BOOST_REQUIRE(store->createUser("Luke", "pw"));
        BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    }

    bool nothingStored(const std::string& name) {
        auto files = store->listFiles("Topic");
        BOOST_REQUIRE(files);
        for (const auto& file : *files) {
            if (file.name == name) {
                return false;
            }
        }
        return outcome(store->openFile("Topic", name)) == describe(StoreError::FileNotFound) &&
               dfp::test::directoryEntries(tmpDir()).empty();
    }

    std::unique_ptr<dfp::storage::ForumStore> store;
};

bool isBlobName(const std::string& name) {
    return name.size() == 32 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string pattern(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>((i * 131 + i / 251) & 0xff);
    }
    return bytes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(files)

BOOST_FIXTURE_TEST_CASE(uploads_a_file_and_reads_it_back, TopicFixture) {
    auto stored =
        dfp::test::uploadFile(*store, "Topic", "abc.txt", "luke", "abc", std::string(kSha256OfAbc));
    BOOST_REQUIRE_EQUAL(outcome(stored), "ok");
    BOOST_CHECK_EQUAL(stored->thread, "Topic");
    BOOST_CHECK_EQUAL(stored->name, "abc.txt");
    BOOST_CHECK_EQUAL(stored->uploader, "Luke");
    BOOST_CHECK_EQUAL(stored->size, 3u);
    BOOST_CHECK_EQUAL(stored->sha256, kSha256OfAbc);
    BOOST_CHECK_GT(stored->created, 0);

    auto reader = store->openFile("Topic", "abc.txt");
    BOOST_REQUIRE_EQUAL(outcome(reader), "ok");
    BOOST_CHECK_EQUAL((*reader)->info().uploader, "Luke");
    BOOST_CHECK_EQUAL((*reader)->info().size, 3u);
    BOOST_CHECK_EQUAL((*reader)->info().sha256, kSha256OfAbc);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "abc");

    // One blob named by a random id, never by the user's name; no temp file left.
    const auto blobs = dfp::test::directoryEntries(filesDir());
    BOOST_REQUIRE_EQUAL(blobs.size(), 1u);
    BOOST_CHECK(isBlobName(blobs[0]));
    BOOST_CHECK_EQUAL(dfp::test::readWholeFile(filesDir() / blobs[0]), "abc");
    BOOST_CHECK(dfp::test::directoryEntries(tmpDir()).empty());
}

BOOST_FIXTURE_TEST_CASE(checksums_the_file_without_an_announced_sha256, TopicFixture) {
    auto stored = dfp::test::uploadFile(*store, "Topic", "abc.txt", "Luke", "abc");
    BOOST_REQUIRE(stored);
    BOOST_CHECK_EQUAL(stored->sha256, kSha256OfAbc);
}

BOOST_FIXTURE_TEST_CASE(accepts_an_upper_case_checksum_and_stores_lower_case, TopicFixture) {
    std::string upper = kSha256OfAbc;
    for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    auto stored = dfp::test::uploadFile(*store, "Topic", "abc.txt", "Luke", "abc", upper);
    BOOST_REQUIRE_EQUAL(outcome(stored), "ok");
    BOOST_CHECK_EQUAL(stored->sha256, kSha256OfAbc);
}

BOOST_FIXTURE_TEST_CASE(accepts_an_empty_file, TopicFixture) {
    auto stored =
        dfp::test::uploadFile(*store, "Topic", "empty", "Luke", "", std::string(kSha256OfNothing));
    BOOST_REQUIRE_EQUAL(outcome(stored), "ok");
    BOOST_CHECK_EQUAL(stored->size, 0u);
    auto reader = store->openFile("Topic", "empty");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "");
}

BOOST_FIXTURE_TEST_CASE(stores_a_large_file_intact, TopicFixture) {
    const std::string bytes = pattern(3 * 1024 * 1024 + 17);
    auto upload = store->beginUpload("Topic", "big.bin", "Luke", bytes.size());
    BOOST_REQUIRE(upload);
    for (std::size_t at = 0; at < bytes.size(); at += 65536) {
        BOOST_REQUIRE((*upload)->write(std::string_view(bytes).substr(at, 65536)));
    }
    BOOST_CHECK_EQUAL((*upload)->bytesWritten(), bytes.size());
    auto stored = (*upload)->commit(dfp::test::sha256Hex(bytes));
    BOOST_REQUIRE_EQUAL(outcome(stored), "ok");
    auto reader = store->openFile("Topic", "big.bin");
    BOOST_REQUIRE(reader);
    BOOST_CHECK(dfp::test::readAll(**reader, 100000) == bytes);
}

BOOST_FIXTURE_TEST_CASE(lists_a_threads_files_in_posting_order, TopicFixture) {
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "z.txt", "Luke", "1"));
    BOOST_REQUIRE(store->postMessage("Topic", "Yoda", "between"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "a.txt", "Yoda", "22"));
    // File names are case-sensitive, like titles.
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "A.txt", "Yoda", "333"));
    auto files = store->listFiles("Topic");
    BOOST_REQUIRE(files);
    BOOST_REQUIRE_EQUAL(files->size(), 3u);
    BOOST_CHECK_EQUAL((*files)[0].name, "z.txt");
    BOOST_CHECK_EQUAL((*files)[0].uploader, "Luke");
    BOOST_CHECK_EQUAL((*files)[0].size, 1u);
    BOOST_CHECK_EQUAL((*files)[1].name, "a.txt");
    BOOST_CHECK_EQUAL((*files)[2].name, "A.txt");
    BOOST_CHECK_EQUAL((*files)[2].size, 3u);
    BOOST_CHECK_EQUAL((*files)[2].thread, "Topic");
}

BOOST_FIXTURE_TEST_CASE(refuses_an_upload_before_any_byte, TopicFixture) {
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "taken.txt", "Luke", "x"));
    const auto before = dfp::test::diskState(*this);
    BOOST_CHECK_EQUAL(outcome(store->beginUpload("topic", "new.txt", "Luke", 1)),
                      describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(outcome(store->beginUpload("Topic", "taken.txt", "Yoda", 1)),
                      describe(StoreError::AlreadyExists));
    BOOST_CHECK_EQUAL(outcome(store->beginUpload("Topic", "new.txt", "Nobody", 1)),
                      describe(StoreError::UserNotFound));
    dfp::test::checkUnchanged(before, *this);
}

BOOST_AUTO_TEST_CASE(refuses_a_file_over_the_size_limit) {
    StoreFixture fixture;
    auto options = fixture.options();
    options.maxFileSize = 10;
    auto store = fixture.open(options);
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    const auto before = dfp::test::diskState(fixture);
    BOOST_CHECK_EQUAL(outcome(store->beginUpload("Topic", "big", "Yoda", 11)),
                      describe(StoreError::TooLarge));
    dfp::test::checkUnchanged(before, fixture);
    BOOST_CHECK_EQUAL(outcome(dfp::test::uploadFile(*store, "Topic", "fits", "Yoda", "0123456789")),
                      "ok");
}

BOOST_FIXTURE_TEST_CASE(shows_nothing_of_an_upload_before_its_commit, TopicFixture) {
    auto upload = store->beginUpload("Topic", "pending.txt", "Luke", 6);
    BOOST_REQUIRE(upload);
    BOOST_REQUIRE((*upload)->write("abc"));
    BOOST_CHECK_EQUAL(outcome(store->openFile("Topic", "pending.txt")),
                      describe(StoreError::FileNotFound));
    auto files = store->listFiles("Topic");
    BOOST_REQUIRE(files);
    BOOST_CHECK(files->empty());
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 0u);
    BOOST_CHECK(dfp::test::directoryEntries(filesDir()).empty());
    BOOST_REQUIRE((*upload)->write("def"));
    BOOST_REQUIRE_EQUAL(outcome((*upload)->commit(std::nullopt)), "ok");
    auto reader = store->openFile("Topic", "pending.txt");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "abcdef");
}

BOOST_FIXTURE_TEST_CASE(an_upload_destroyed_midway_leaves_nothing, TopicFixture) {
    const auto before = dfp::test::diskState(*this);
    {
        auto upload = store->beginUpload("Topic", "aborted.bin", "Luke", 100);
        BOOST_REQUIRE(upload);
        BOOST_REQUIRE((*upload)->write(std::string(40, 'x')));
        BOOST_CHECK_EQUAL(dfp::test::directoryEntries(tmpDir()).size(), 1u);
    }
    dfp::test::checkUnchanged(before, *this);
    BOOST_CHECK(nothingStored("aborted.bin"));
    // The name is still free.
    BOOST_CHECK_EQUAL(outcome(dfp::test::uploadFile(*store, "Topic", "aborted.bin", "Luke", "x")),
                      "ok");
}

BOOST_FIXTURE_TEST_CASE(refuses_a_checksum_mismatch_and_stores_nothing, TopicFixture) {
    const auto before = dfp::test::diskState(*this);
    auto upload = store->beginUpload("Topic", "abc.txt", "Luke", 3);
    BOOST_REQUIRE(upload);
    BOOST_REQUIRE((*upload)->write("abd"));
    BOOST_CHECK_EQUAL(outcome((*upload)->commit(std::string(kSha256OfAbc))),
                      describe(StoreError::ChecksumMismatch));
    // Refused at commit: the temp file is gone already, not only when the upload goes.
    dfp::test::checkUnchanged(before, *this);
    upload->reset();
    dfp::test::checkUnchanged(before, *this);
    BOOST_CHECK(nothingStored("abc.txt"));
}

BOOST_FIXTURE_TEST_CASE(refuses_fewer_or_more_bytes_than_announced, TopicFixture) {
    const auto before = dfp::test::diskState(*this);
    {
        auto upload = store->beginUpload("Topic", "short.txt", "Luke", 4);
        BOOST_REQUIRE(upload);
        BOOST_REQUIRE((*upload)->write("abc"));
        BOOST_CHECK_EQUAL((*upload)->bytesWritten(), 3u);
        BOOST_CHECK_EQUAL(outcome((*upload)->commit(std::nullopt)),
                          describe(StoreError::SizeMismatch));
    }
    {
        auto upload = store->beginUpload("Topic", "long.txt", "Luke", 2);
        BOOST_REQUIRE(upload);
        BOOST_REQUIRE((*upload)->write("abc"));
        BOOST_CHECK_EQUAL((*upload)->bytesWritten(), 3u);
        BOOST_CHECK_EQUAL(outcome((*upload)->commit(std::nullopt)),
                          describe(StoreError::SizeMismatch));
    }
    dfp::test::checkUnchanged(before, *this);
}

BOOST_FIXTURE_TEST_CASE(stores_nothing_if_the_thread_is_removed_during_the_upload, TopicFixture) {
    BOOST_REQUIRE(store->createThread("Other", "Luke"));
    auto upload = store->beginUpload("Other", "late.txt", "Yoda", 3);
    BOOST_REQUIRE(upload);
    BOOST_REQUIRE((*upload)->write("abc"));
    BOOST_REQUIRE(store->removeThread("Other", "Luke"));
    auto before = dfp::test::diskState(*this);
    before.tmp.clear();  // the commit consumes the temp file, whatever its outcome
    BOOST_CHECK_EQUAL(outcome((*upload)->commit(std::nullopt)),
                      describe(StoreError::ThreadNotFound));
    dfp::test::checkUnchanged(before, *this);
    BOOST_CHECK(dfp::test::directoryEntries(filesDir()).empty());
    BOOST_CHECK(dfp::test::directoryEntries(tmpDir()).empty());
}

BOOST_FIXTURE_TEST_CASE(stores_nothing_if_the_thread_is_replaced_during_the_upload, TopicFixture) {
    BOOST_REQUIRE(store->createThread("Other", "Luke"));
    auto upload = store->beginUpload("Other", "late.txt", "Yoda", 3);
    BOOST_REQUIRE(upload);
    BOOST_REQUIRE((*upload)->write("abc"));
    // Same title, different thread: the upload was accepted into the one that is gone.
    BOOST_REQUIRE(store->removeThread("Other", "Luke"));
    BOOST_REQUIRE(store->createThread("Other", "Luke"));
    auto before = dfp::test::diskState(*this);
    before.tmp.clear();  // the commit consumes the temp file, whatever its outcome
    BOOST_CHECK_EQUAL(outcome((*upload)->commit(std::nullopt)),
                      describe(StoreError::ThreadNotFound));
    dfp::test::checkUnchanged(before, *this);
    BOOST_CHECK(dfp::test::directoryEntries(filesDir()).empty());
}

BOOST_FIXTURE_TEST_CASE(the_first_commit_wins_a_name_taken_during_the_upload, TopicFixture) {
    auto first = store->beginUpload("Topic", "same.txt", "Luke", 5);
    auto second = store->beginUpload("Topic", "same.txt", "Yoda", 6);
    BOOST_REQUIRE(first);
    BOOST_REQUIRE(second);
    BOOST_REQUIRE((*first)->write("first"));
    BOOST_REQUIRE((*second)->write("second"));
    BOOST_REQUIRE_EQUAL(outcome((*first)->commit(std::nullopt)), "ok");
    auto before = dfp::test::diskState(*this);
    before.tmp.clear();  // the commit consumes the temp file, whatever its outcome
    BOOST_CHECK_EQUAL(outcome((*second)->commit(std::nullopt)),
                      describe(StoreError::AlreadyExists));
    dfp::test::checkUnchanged(before, *this);
    auto reader = store->openFile("Topic", "same.txt");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL((*reader)->info().uploader, "Luke");
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "first");
}

BOOST_FIXTURE_TEST_CASE(removes_a_file_for_its_uploader_and_unlinks_the_blob, TopicFixture) {
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "a.txt", "Luke", "aaa"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "b.txt", "Luke", "bbb"));
    BOOST_REQUIRE_EQUAL(dfp::test::directoryEntries(filesDir()).size(), 2u);
    BOOST_CHECK_EQUAL(outcome(store->removeFile("Topic", "a.txt", "LUKE")), "ok");
    BOOST_CHECK_EQUAL(dfp::test::directoryEntries(filesDir()).size(), 1u);
    BOOST_CHECK_EQUAL(outcome(store->openFile("Topic", "a.txt")),
                      describe(StoreError::FileNotFound));
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_REQUIRE_EQUAL(view->entries.size(), 1u);
    BOOST_CHECK_EQUAL(view->entries[0].text, "b.txt");
}

BOOST_FIXTURE_TEST_CASE(removes_a_file_for_the_threads_creator, TopicFixture) {
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "a.txt", "Luke", "aaa"));
    BOOST_CHECK_EQUAL(outcome(store->removeFile("Topic", "a.txt", "Yoda")), "ok");
    BOOST_CHECK(dfp::test::directoryEntries(filesDir()).empty());
    auto files = store->listFiles("Topic");
    BOOST_REQUIRE(files);
    BOOST_CHECK(files->empty());
}

BOOST_FIXTURE_TEST_CASE(refuses_file_removal_by_anyone_else, TopicFixture) {
    BOOST_REQUIRE(store->createUser("Han", "pw"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "a.txt", "Luke", "aaa"));
    const auto before = dfp::test::diskState(*this);
    BOOST_CHECK_EQUAL(outcome(store->removeFile("Topic", "a.txt", "Han")),
                      describe(StoreError::NotAllowed));
    BOOST_CHECK_EQUAL(outcome(store->removeFile("Topic", "a.txt", "Nobody")),
                      describe(StoreError::NotAllowed));
    BOOST_CHECK_EQUAL(outcome(store->removeFile("topic", "a.txt", "Luke")),
                      describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(outcome(store->removeFile("Topic", "A.txt", "Luke")),
                      describe(StoreError::FileNotFound));
    dfp::test::checkUnchanged(before, *this);
}

BOOST_FIXTURE_TEST_CASE(refuses_to_open_or_list_what_does_not_exist, TopicFixture) {
    BOOST_CHECK_EQUAL(outcome(store->openFile("Nowhere", "a.txt")),
                      describe(StoreError::ThreadNotFound));
    BOOST_CHECK_EQUAL(outcome(store->openFile("Topic", "a.txt")),
                      describe(StoreError::FileNotFound));
    BOOST_CHECK_EQUAL(outcome(store->listFiles("Nowhere")), describe(StoreError::ThreadNotFound));
}

// Removals commit before they unlink, so a row whose blob is already gone belongs to a file
// being removed at this very moment: it counts as removed.
BOOST_FIXTURE_TEST_CASE(treats_a_row_whose_blob_is_gone_as_a_removed_file, TopicFixture) {
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "a.txt", "Luke", "aaa"));
    const auto blobs = dfp::test::directoryEntries(filesDir());
    BOOST_REQUIRE_EQUAL(blobs.size(), 1u);
    std::filesystem::remove(filesDir() / blobs[0]);
    BOOST_CHECK_EQUAL(outcome(store->openFile("Topic", "a.txt")),
                      describe(StoreError::FileNotFound));
    // Removing it still works and does not mind the missing blob.
    BOOST_CHECK_EQUAL(outcome(store->removeFile("Topic", "a.txt", "Luke")), "ok");
}

BOOST_FIXTURE_TEST_CASE(an_open_file_stays_readable_after_its_removal, TopicFixture) {
    const std::string bytes = pattern(200000);
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "a.bin", "Luke", bytes));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "b.bin", "Luke", bytes));
    auto a = store->openFile("Topic", "a.bin");
    auto b = store->openFile("Topic", "b.bin");
    BOOST_REQUIRE(a);
    BOOST_REQUIRE(b);
    const std::string start = (*a)->read(1000);
    BOOST_REQUIRE(store->removeFile("Topic", "a.bin", "Luke"));
    BOOST_REQUIRE(store->removeThread("Topic", "Yoda"));
    BOOST_CHECK(dfp::test::directoryEntries(filesDir()).empty());
    BOOST_CHECK(start + dfp::test::readAll(**a) == bytes);
    BOOST_CHECK(dfp::test::readAll(**b) == bytes);
}

BOOST_AUTO_TEST_CASE(reports_a_full_disk_while_writing_and_stores_nothing) {
    dfp::storage::StoreTestHooks hooks;
    int calls = 0;
    hooks.uploadWrite = [&calls](int fd, const void* data, std::size_t size) -> ssize_t {
        // The first write lands, the disk is full from then on.
        if (++calls == 1) {
            return ::write(fd, data, size);
        }
        errno = ENOSPC;
        return -1;
    };
    TopicFixture fixture(std::move(hooks));
    auto& store = fixture.store;
    const auto before = dfp::test::diskState(fixture);
    auto upload = store->beginUpload("Topic", "full.bin", "Luke", 6);
    BOOST_REQUIRE(upload);
    BOOST_CHECK_EQUAL(outcome((*upload)->write("abc")), "ok");
    BOOST_CHECK_EQUAL(outcome((*upload)->write("def")), describe(StoreError::StorageFull));
    // Dead from then on, without trying the disk again.
    BOOST_CHECK_EQUAL(outcome((*upload)->write("def")), describe(StoreError::StorageFull));
    BOOST_CHECK_EQUAL(calls, 2);
    BOOST_CHECK_EQUAL(outcome((*upload)->commit(std::nullopt)), describe(StoreError::StorageFull));
    dfp::test::checkUnchanged(before, fixture);
    BOOST_CHECK(fixture.nothingStored("full.bin"));
}

BOOST_AUTO_TEST_CASE(throws_on_an_io_error_while_writing_and_stores_nothing) {
    dfp::storage::StoreTestHooks hooks;
    hooks.uploadWrite = [](int, const void*, std::size_t) -> ssize_t {
        errno = EIO;
        return -1;
    };
    TopicFixture fixture(std::move(hooks));
    const auto before = dfp::test::diskState(fixture);
    {
        auto upload = fixture.store->beginUpload("Topic", "broken.bin", "Luke", 3);
        BOOST_REQUIRE(upload);
        BOOST_CHECK_THROW((void)(*upload)->write("abc"), std::system_error);
    }
    dfp::test::checkUnchanged(before, fixture);
}

BOOST_AUTO_TEST_CASE(keeps_every_byte_through_short_and_interrupted_writes) {
    dfp::storage::StoreTestHooks hooks;
    int calls = 0;
    hooks.uploadWrite = [&calls](int fd, const void* data, std::size_t size) -> ssize_t {
        // Every other call is interrupted; the others write at most 7 bytes.
        if (++calls % 2 == 0) {
            errno = EINTR;
            return -1;
        }
        return ::write(fd, data, std::min<std::size_t>(size, 7));
    };
    TopicFixture fixture(std::move(hooks));
    const std::string bytes = pattern(5000);
    auto stored = dfp::test::uploadFile(*fixture.store, "Topic", "choppy.bin", "Luke", bytes,
                                        dfp::test::sha256Hex(bytes));
    BOOST_REQUIRE_EQUAL(outcome(stored), "ok");
    BOOST_CHECK_GT(calls, 5000 / 7);
    auto reader = fixture.store->openFile("Topic", "choppy.bin");
    BOOST_REQUIRE(reader);
    BOOST_CHECK(dfp::test::readAll(**reader) == bytes);
}

BOOST_AUTO_TEST_SUITE_END()
