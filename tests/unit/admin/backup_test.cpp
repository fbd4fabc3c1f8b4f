// backup: a consistent copy of the database and of exactly the blobs it references.

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <boost/test/unit_test.hpp>

#include "admin_fixture.h"
#include "storage/admin_store.h"
#include "storage/migrations.h"

using dfp::test::AdminFixture;
using dfp::test::parseJson;
using dfp::test::writeFile;

namespace {

ino_t inodeOf(const std::filesystem::path& path) {
    struct stat info {};
    BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &info), 0);
    return info.st_ino;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_backup)

BOOST_AUTO_TEST_CASE(copies_the_database_and_only_the_blobs_it_references) {
    AdminFixture fixture;
    fixture.populate();
    auto owner = fixture.open();  // the backup runs beside the owner
    BOOST_REQUIRE(dfp::test::uploadFile(*owner, "sith", "plans.bin", "Luke", "death star"));
    writeFile(fixture.filesDir() / "0123456789abcdef0123456789abcdef", "orphan");
    writeFile(fixture.tmpDir() / "x.upload", "in flight");
    const auto destination = fixture.dataDir().parent_path() / "backups" / "monday";

    const auto run = fixture.run({"--json", "backup", destination.string()});
    BOOST_REQUIRE_MESSAGE(run.status == 0, run);
    const auto document = parseJson(run.out);
    BOOST_TEST(document->getValue<int>("files") == 2);
    BOOST_TEST(document->getValue<int>("fileBytes") == 23);
    BOOST_TEST(document->getValue<int>("linked") + document->getValue<int>("copied") == 2);
    BOOST_TEST(document->getValue<int>("schemaVersion") == dfp::storage::latestSchemaVersion());
    // Closed cleanly: everything is in forum.db, nothing waits in a write-ahead log.
    BOOST_TEST(!std::filesystem::exists(destination / "forum.db-wal"));

    BOOST_TEST(dfp::test::dumpDatabase(destination / "forum.db") ==
               dfp::test::dumpDatabase(fixture.databaseFile()));
    const auto copied = dfp::test::directoryEntries(destination / "files");
    BOOST_TEST(copied.size() == 2u);
    BOOST_TEST(
        !std::filesystem::exists(destination / "files" / "0123456789abcdef0123456789abcdef"));
    BOOST_TEST(dfp::test::directoryEntries(destination / "tmp").empty());

    // The copy checks clean, and a store opened on it (as a server would) serves it.
    const auto check = fixture.runRaw({"--data-dir=" + destination.string(), "check"});
    BOOST_TEST(check.status == 0, check);
    dfp::storage::StoreOptions options = fixture.options();
    options.dataDir = destination;
    auto restored = dfp::storage::openForumStore(options);
    auto reader = restored->openFile("sith", "plans.bin");
    BOOST_REQUIRE(reader);
    BOOST_TEST(dfp::test::readAll(**reader) == "death star");
    BOOST_TEST(dfp::test::outcome(restored->verifyUser("yoda", "old password")) == "ok");
    auto view = dfp::test::readThread(*restored, "jedi");
    BOOST_REQUIRE(view);
    BOOST_TEST(view->announced == 3u);
}

BOOST_AUTO_TEST_CASE(the_copy_is_the_snapshot_even_as_the_owner_goes_on_writing) {
    AdminFixture fixture;
    fixture.populate();
    auto owner = fixture.open();
    auto admin = fixture.openAdmin();
    const auto destination = fixture.dataDir().parent_path() / "copy";
    const auto report = admin->backup({destination, false});
    BOOST_REQUIRE(owner->postMessage("jedi", "Yoda", "after the backup"));
    BOOST_REQUIRE(owner->removeFile("jedi", "notes.txt", "Yoda"));
    BOOST_TEST(report.files == 1u);
    dfp::storage::StoreOptions options = fixture.options();
    options.dataDir = destination;
    auto restored = dfp::storage::openForumStore(options);
    auto view = dfp::test::readThread(*restored, "jedi");
    BOOST_REQUIRE(view);
    BOOST_TEST(view->announced == 3u);  // two messages and notes.txt, as at the backup
    auto reader = restored->openFile("jedi", "notes.txt");
    BOOST_REQUIRE(reader);
    BOOST_TEST(dfp::test::readAll(**reader) == "use the force");
}

BOOST_AUTO_TEST_CASE(copies_blobs_on_request_instead_of_linking_them) {
    AdminFixture fixture;
    fixture.populate();
    const auto destination = fixture.dataDir().parent_path() / "copy";
    const auto report = fixture.openAdmin()->backup({destination, /*alwaysCopy=*/true});
    BOOST_TEST(report.copied == 1u);
    BOOST_TEST(report.linked == 0u);
    const auto original = fixture.blobWith("use the force");
    const auto copy = destination / "files" / original.filename();
    BOOST_TEST(dfp::test::readWholeFile(copy) == "use the force");
    BOOST_TEST(inodeOf(copy) != inodeOf(original));

    const auto run = fixture.run({"backup", "--copy", (destination.string() + "2")});
    BOOST_TEST(run.status == 0, run);
    BOOST_TEST(run.out.find("0 hard-linked, 1 copied") != std::string::npos, run);
}

BOOST_AUTO_TEST_CASE(refuses_a_destination_that_is_not_empty_and_leaves_it_alone) {
    AdminFixture fixture;
    fixture.populate();
    const auto destination = fixture.dataDir().parent_path() / "occupied";
    std::filesystem::create_directories(destination);
    writeFile(destination / "keep.txt", "mine");
    const auto run = fixture.run({"backup", destination.string()});
    BOOST_TEST(run.status == 1, run);
    BOOST_TEST(run.err.find("is not empty") != std::string::npos, run);
    BOOST_TEST(dfp::test::directoryEntries(destination) == std::vector<std::string>{"keep.txt"});

    const auto file = fixture.dataDir().parent_path() / "a-file";
    writeFile(file, "x");
    const auto onFile = fixture.run({"backup", file.string()});
    BOOST_TEST(onFile.status == 1, onFile);
    BOOST_TEST(onFile.err.find("is not a directory") != std::string::npos, onFile);

    const auto onItself = fixture.run({"backup", fixture.dataDir().string()});
    BOOST_TEST(onItself.status == 1, onItself);

    const auto inside = fixture.run({"backup", (fixture.filesDir() / "copy").string()});
    BOOST_TEST(inside.status == 1, inside);
    BOOST_TEST(inside.err.find("the server empties") != std::string::npos, inside);
    BOOST_TEST(!std::filesystem::exists(fixture.filesDir() / "copy"));
}

BOOST_AUTO_TEST_CASE(accepts_an_empty_existing_destination) {
    AdminFixture fixture;
    fixture.populate();
    const auto destination = fixture.dataDir().parent_path() / "empty";
    std::filesystem::create_directories(destination);
    const auto run = fixture.run({"backup", destination.string()});
    BOOST_TEST(run.status == 0, run);
    BOOST_TEST(std::filesystem::exists(destination / "forum.db"));
}

BOOST_AUTO_TEST_CASE(backs_up_a_database_with_migrations_pending_as_it_is) {
    AdminFixture fixture;
    std::filesystem::create_directories(fixture.filesDir());
    BOOST_REQUIRE_EQUAL(dfp::storage::migrateDatabase(fixture.databaseFile(),
                                                      dfp::storage::embeddedMigrations().first(2)),
                        2);
    const auto destination = fixture.dataDir().parent_path() / "old";
    const auto run = fixture.run({"backup", destination.string()});
    BOOST_TEST(run.status == 0, run);
    BOOST_TEST(dfp::test::dumpDatabase(destination / "forum.db") ==
               dfp::test::dumpDatabase(fixture.databaseFile()));
}

BOOST_AUTO_TEST_SUITE_END()
