// migrate: shows and applies pending migrations, refuses a newer database or a running owner.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>

#include "admin_fixture.h"
#include "storage/admin_store.h"
#include "storage/migrations.h"

using dfp::storage::embeddedMigrations;
using dfp::storage::latestSchemaVersion;
using dfp::test::AdminFixture;
using dfp::test::parseJson;

namespace {

int userVersion(const std::filesystem::path& databaseFile) {
    SQLite::Database db(databaseFile, SQLite::OPEN_READONLY);
    return db.execAndGet("PRAGMA user_version").getInt();
}

// A database as the first release left it.
void makeVersionOneDatabase(AdminFixture& fixture) {
    std::filesystem::create_directories(fixture.filesDir());
    std::filesystem::create_directories(fixture.tmpDir());
    BOOST_REQUIRE_EQUAL(
        dfp::storage::migrateDatabase(fixture.databaseFile(), embeddedMigrations().first(1)), 1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_migrate)

BOOST_AUTO_TEST_CASE(shows_the_pending_migrations_then_applies_them) {
    AdminFixture fixture;
    makeVersionOneDatabase(fixture);

    const auto dryRun = fixture.run({"migrate", "--dry-run"});
    BOOST_TEST(dryRun.status == 0, dryRun);
    BOOST_TEST(dryRun.out.find("schema version 1; pending migrations:") != std::string::npos,
               dryRun);
    for (const auto& migration : embeddedMigrations().subspan(1)) {
        BOOST_TEST(dryRun.out.find(std::to_string(migration.version) + " " +
                                   std::string(migration.name)) != std::string::npos,
                   dryRun);
    }
    BOOST_TEST(userVersion(fixture.databaseFile()) == 1);

    const auto applied = fixture.run({"--json", "migrate"});
    BOOST_TEST(applied.status == 0, applied);
    const auto document = parseJson(applied.out);
    BOOST_TEST(document->getValue<int>("schemaVersion") == 1);
    BOOST_TEST(document->getValue<bool>("applied"));
    BOOST_TEST(document->getValue<int>("schemaVersionNow") == latestSchemaVersion());
    BOOST_TEST(document->getArray("pending")->size() == embeddedMigrations().size() - 1);
    BOOST_TEST(userVersion(fixture.databaseFile()) == latestSchemaVersion());

    const auto again = fixture.run({"migrate"});
    BOOST_TEST(again.status == 0, again);
    BOOST_TEST(again.out.find("is up to date; nothing to migrate") != std::string::npos, again);
    BOOST_TEST(fixture.run({"stats"}).status == 0);
}

BOOST_AUTO_TEST_CASE(other_commands_refuse_a_database_with_migrations_pending) {
    AdminFixture fixture;
    makeVersionOneDatabase(fixture);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"stats"}, std::vector<std::string>{"check"},
          std::vector<std::string>{"remove-thread", "jedi"}}) {
        const auto run = fixture.run(args);
        BOOST_TEST(run.status == 1, run);
        BOOST_TEST(
            run.err.find("migrations are pending; apply them with migrate") != std::string::npos,
            run);
    }
    BOOST_TEST(userVersion(fixture.databaseFile()) == 1);
}

BOOST_AUTO_TEST_CASE(refuses_a_newer_database_and_leaves_it_untouched) {
    AdminFixture fixture;
    fixture.populate();
    const int newer = latestSchemaVersion() + 1;
    {
        SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA user_version = " + std::to_string(newer));
    }
    const auto before = dfp::test::sha256Hex(dfp::test::readWholeFile(fixture.databaseFile()));
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"migrate"}, std::vector<std::string>{"migrate", "--dry-run"},
          std::vector<std::string>{"stats"}}) {
        const auto run = fixture.run(args);
        BOOST_TEST(run.status == 1, run);
        BOOST_TEST(run.err.find("database schema version " + std::to_string(newer) +
                                " is newer than this program supports") != std::string::npos,
                   run);
    }
    BOOST_TEST(dfp::test::sha256Hex(dfp::test::readWholeFile(fixture.databaseFile())) == before);
    BOOST_TEST(userVersion(fixture.databaseFile()) == newer);
}

BOOST_AUTO_TEST_CASE(refuses_to_migrate_while_a_server_holds_the_data_directory) {
    AdminFixture fixture;
    makeVersionOneDatabase(fixture);
    // The owner's lock, as a running dfp-server holds it.
    const int lock = ::open((fixture.dataDir() / "lock").c_str(), O_RDWR | O_CREAT, 0600);
    BOOST_REQUIRE_GE(lock, 0);
    BOOST_REQUIRE_EQUAL(::flock(lock, LOCK_EX | LOCK_NB), 0);
    const auto run = fixture.run({"migrate"});
    ::close(lock);
    BOOST_TEST(run.status == 1, run);
    BOOST_TEST(run.err.find("in use by a running dfp-server") != std::string::npos, run);
    BOOST_TEST(userVersion(fixture.databaseFile()) == 1);
    BOOST_TEST(fixture.run({"migrate"}).status == 0);
    BOOST_TEST(userVersion(fixture.databaseFile()) == latestSchemaVersion());
}

BOOST_AUTO_TEST_SUITE_END()
