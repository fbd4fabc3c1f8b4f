#include <sys/stat.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sodium.h>
#include <boost/test/unit_test.hpp>

#include "storage/forum_store.h"
#include "storage/migrations.h"
#include "support/storage_fixture.h"

using dfp::storage::describe;
using dfp::storage::embeddedMigrations;
using dfp::storage::latestSchemaVersion;
using dfp::storage::Migration;
using dfp::storage::StoreError;
using dfp::storage::StoreOpenError;
using dfp::test::outcome;
using dfp::test::StoreFixture;

namespace {

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

int userVersion(const std::filesystem::path& databaseFile) {
    SQLite::Database db(databaseFile, SQLite::OPEN_READONLY);
    return db.execAndGet("PRAGMA user_version").getInt();
}

bool tableExists(const std::filesystem::path& databaseFile, const std::string& table) {
    SQLite::Database db(databaseFile, SQLite::OPEN_READONLY);
    return db.tableExists(table);
}

// A password hash made the way libsodium documents it, independently of the store.
std::string hashPassword(const std::string& password) {
    BOOST_REQUIRE_GE(sodium_init(), 0);
    char hash[crypto_pwhash_STRBYTES];
    BOOST_REQUIRE_EQUAL(crypto_pwhash_str(hash, password.data(), password.size(),
                                          crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN),
                        0);
    return hash;
}

// Kills and reaps a child process unless it has been reaped already.
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid) : pid_(pid) {}
    ~ChildGuard() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;

    int killAndReap() {
        int status = 0;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }

private:
    pid_t pid_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(opening)

BOOST_AUTO_TEST_CASE(creates_the_data_directory_and_a_database_at_the_latest_version) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_CHECK(std::filesystem::is_directory(fixture.filesDir()));
    BOOST_CHECK(std::filesystem::is_directory(fixture.tmpDir()));
    BOOST_CHECK(std::filesystem::is_regular_file(fixture.databaseFile()));
    BOOST_CHECK_EQUAL(store->schemaVersion(), latestSchemaVersion());
    BOOST_CHECK_EQUAL(userVersion(fixture.databaseFile()), latestSchemaVersion());
    SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READONLY);
    BOOST_CHECK_EQUAL(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

BOOST_AUTO_TEST_CASE(creates_a_new_data_directory_readable_by_its_owner_only) {
    StoreFixture fixture;
    const mode_t previous = ::umask(022);  // the common default, which would leave it 0755
    auto store = fixture.open();
    ::umask(previous);
    const auto perms = std::filesystem::status(fixture.dataDir()).permissions();
    BOOST_CHECK(perms == std::filesystem::perms::owner_all);
}

BOOST_AUTO_TEST_CASE(keeps_everything_across_a_reopen) {
    StoreFixture fixture;
    {
        auto store = fixture.open();
        BOOST_REQUIRE(store->createUser("Yoda", "pw"));
        BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
        BOOST_REQUIRE(store->postMessage("Topic", "Yoda", "one"));
        BOOST_REQUIRE(store->postMessage("Topic", "Yoda", "two"));
        BOOST_REQUIRE(store->deleteMessage("Topic", 2, "Yoda"));
        BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "a.txt", "Yoda", "aaa"));
    }
    auto store = fixture.open();
    BOOST_CHECK_EQUAL(outcome(store->verifyUser("yoda", "pw")), "ok");
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 2u);
    auto reader = store->openFile("Topic", "a.txt");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "aaa");
    // The counter survived too: 2 was deleted before the restart and is not handed out again.
    auto number = store->postMessage("Topic", "Yoda", "three");
    BOOST_REQUIRE(number);
    BOOST_CHECK_EQUAL(*number, 3);
}

BOOST_AUTO_TEST_CASE(migrates_a_database_from_every_earlier_version) {
    const auto all = embeddedMigrations();
    BOOST_REQUIRE_EQUAL(all.size(), static_cast<std::size_t>(latestSchemaVersion()));
    for (int from = 0; from < latestSchemaVersion(); ++from) {
        BOOST_TEST_CONTEXT("from version " << from) {
            StoreFixture fixture;
            std::filesystem::create_directories(fixture.dataDir());
            BOOST_REQUIRE_EQUAL(
                dfp::storage::migrateDatabase(fixture.databaseFile(),
                                              all.first(static_cast<std::size_t>(from))),
                from);
            BOOST_REQUIRE_EQUAL(userVersion(fixture.databaseFile()), from);
            {
                // Data as a release at that version would have written it.
                SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READWRITE);
                if (from >= 1) {
                    SQLite::Statement user(db,
                                           "INSERT INTO users (name, password_hash, created)"
                                           " VALUES ('Yoda', ?1, 1700000000)");
                    user.bind(1, hashPassword("old secret"));
                    user.exec();
                }
                if (from >= 2) {
                    db.exec(
                        "INSERT INTO threads (id, title, creator_id, created, next_number, "
                        "next_seq) VALUES (1, 'Old', 1, 1700000001, 3, 3);"
                        "INSERT INTO messages (thread_id, number, seq, author_id, text, created)"
                        " VALUES (1, 1, 1, 1, 'first', 1700000002),"
                        "        (1, 2, 2, 1, 'second', 1700000003);");
                }
            }
            auto store = fixture.open();
            BOOST_CHECK_EQUAL(store->schemaVersion(), latestSchemaVersion());
            if (from >= 1) {
                BOOST_CHECK_EQUAL(outcome(store->verifyUser("yoda", "old secret")), "ok");
            } else {
                BOOST_REQUIRE(store->createUser("Yoda", "old secret"));
            }
            if (from >= 2) {
                auto view = dfp::test::readThread(*store, "Old");
                BOOST_REQUIRE(view);
                BOOST_CHECK_EQUAL(view->announced, 2u);
                BOOST_REQUIRE_EQUAL(view->entries.size(), 2u);
                BOOST_CHECK_EQUAL(view->entries[0].text, "first");
                BOOST_CHECK_EQUAL(view->entries[1].author, "Yoda");
                BOOST_CHECK_EQUAL(view->entries[1].created, 1700000003);
                auto number = store->postMessage("Old", "Yoda", "third");
                BOOST_REQUIRE(number);
                BOOST_CHECK_EQUAL(*number, 3);
            } else {
                BOOST_REQUIRE(store->createThread("Old", "Yoda"));
            }
            // Everything of the latest schema works on the migrated database.
            BOOST_CHECK_EQUAL(outcome(dfp::test::uploadFile(*store, "Old", "a.txt", "Yoda", "a")),
                              "ok");
        }
    }
}

BOOST_AUTO_TEST_CASE(refuses_a_newer_database_and_leaves_it_untouched) {
    StoreFixture fixture;
    {
        auto store = fixture.open();
        BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    }
    const int newer = latestSchemaVersion() + 1;
    {
        SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA user_version = " + std::to_string(newer));
    }
    const std::string expected = "database schema version " + std::to_string(newer) +
                                 " is newer than this program supports (" +
                                 std::to_string(latestSchemaVersion()) + "); upgrade dfp";
    const std::string hashBefore =
        dfp::test::sha256Hex(dfp::test::readWholeFile(fixture.databaseFile()));

    auto ownerOptions = fixture.options();
    auto toolOptions = fixture.options();
    toolOptions.owner = false;
    auto readOnlyOptions = fixture.options();
    readOnlyOptions.readOnly = true;
    for (const auto& options : {ownerOptions, toolOptions, readOnlyOptions}) {
        BOOST_CHECK_EXCEPTION(fixture.open(options), StoreOpenError,
                              [&](const StoreOpenError& e) { return e.what() == expected; });
        BOOST_CHECK_EQUAL(dfp::test::sha256Hex(dfp::test::readWholeFile(fixture.databaseFile())),
                          hashBefore);
    }
    BOOST_CHECK_EQUAL(userVersion(fixture.databaseFile()), newer);
}

BOOST_AUTO_TEST_CASE(refuses_a_second_owner_of_the_data_directory) {
    StoreFixture fixture;
    auto first = fixture.open();
    BOOST_REQUIRE(first->createUser("Yoda", "pw"));
    BOOST_CHECK_EXCEPTION(fixture.open(), StoreOpenError, [&](const StoreOpenError& e) {
        return std::string(e.what()) ==
               "data directory " + fixture.dataDir().string() + " is in use by another dfp-server";
    });
    // A tool that is not the owner may open it alongside (dfp-admin on a live server).
    auto options = fixture.options();
    options.owner = false;
    auto tool = fixture.open(options);
    BOOST_CHECK_EQUAL(outcome(tool->findUser("yoda")), "ok");
    // Once the owner is gone, the next one gets in.
    first.reset();
    auto second = fixture.open();
    BOOST_CHECK_EQUAL(outcome(second->findUser("yoda")), "ok");
}

BOOST_AUTO_TEST_CASE(removes_crash_leftovers_only_when_opened_as_owner) {
    StoreFixture fixture;
    {
        auto store = fixture.open();
        BOOST_REQUIRE(store->createUser("Yoda", "pw"));
        BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
        BOOST_REQUIRE(dfp::test::uploadFile(*store, "Topic", "kept.txt", "Yoda", "kept"));
    }
    const auto blobs = dfp::test::directoryEntries(fixture.filesDir());
    BOOST_REQUIRE_EQUAL(blobs.size(), 1u);
    const std::string orphan = "0123456789abcdef0123456789abcdef";
    writeFile(fixture.filesDir() / orphan, "orphan");
    writeFile(fixture.tmpDir() / "0123.upload", "partial");
    std::filesystem::create_directories(fixture.tmpDir() / "stray-dir");
    writeFile(fixture.tmpDir() / "stray-dir" / "inner", "x");
    {
        auto options = fixture.options();
        options.owner = false;
        auto store = fixture.open(options);
        BOOST_CHECK_EQUAL(dfp::test::directoryEntries(fixture.filesDir()).size(), 2u);
        BOOST_CHECK_EQUAL(dfp::test::directoryEntries(fixture.tmpDir()).size(), 2u);
    }
    auto store = fixture.open();
    const auto after = dfp::test::directoryEntries(fixture.filesDir());
    BOOST_CHECK_EQUAL_COLLECTIONS(after.begin(), after.end(), blobs.begin(), blobs.end());
    BOOST_CHECK(dfp::test::directoryEntries(fixture.tmpDir()).empty());
    auto reader = store->openFile("Topic", "kept.txt");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "kept");
}

BOOST_AUTO_TEST_CASE(an_upload_whose_process_is_killed_leaves_nothing) {
    StoreFixture fixture;
    {
        auto store = fixture.open();
        BOOST_REQUIRE(store->createUser("Yoda", "pw"));
        BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    }
    int ready[2];
    BOOST_REQUIRE_EQUAL(::pipe(ready), 0);
    const pid_t pid = ::fork();
    BOOST_REQUIRE_GE(pid, 0);
    if (pid == 0) {
        // The child: no Boost.Test here, and it never returns into the test runner.
        ::close(ready[0]);
        try {
            auto store = fixture.open();
            auto upload = store->beginUpload("Topic", "half.bin", "Yoda", 1000);
            if (!upload || !(*upload)->write(std::string(600, 'x'))) {
                ::_exit(2);
            }
            const char byte = 'r';
            if (::write(ready[1], &byte, 1) != 1) {
                ::_exit(3);
            }
            for (;;) {
                ::pause();
            }
        } catch (...) {
            ::_exit(4);
        }
    }
    ChildGuard child(pid);
    ::close(ready[1]);
    pollfd wait{ready[0], POLLIN, 0};
    BOOST_REQUIRE_EQUAL(::poll(&wait, 1, 30000), 1);
    char byte = 0;
    BOOST_REQUIRE_EQUAL(::read(ready[0], &byte, 1), 1);
    ::close(ready[0]);
    BOOST_REQUIRE_EQUAL(byte, 'r');
    // Mid-upload: the temp file exists, and the child owns the data directory.
    BOOST_CHECK_EQUAL(dfp::test::directoryEntries(fixture.tmpDir()).size(), 1u);
    BOOST_CHECK_THROW(fixture.open(), StoreOpenError);

    const int status = child.killAndReap();
    BOOST_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    auto store = fixture.open();
    auto files = store->listFiles("Topic");
    BOOST_REQUIRE(files);
    BOOST_CHECK(files->empty());
    BOOST_CHECK_EQUAL(outcome(store->openFile("Topic", "half.bin")),
                      describe(StoreError::FileNotFound));
    BOOST_CHECK(dfp::test::directoryEntries(fixture.tmpDir()).empty());
    BOOST_CHECK(dfp::test::directoryEntries(fixture.filesDir()).empty());
    BOOST_CHECK_EQUAL(outcome(dfp::test::uploadFile(*store, "Topic", "half.bin", "Yoda", "x")),
                      "ok");
}

BOOST_AUTO_TEST_CASE(opens_read_only_alongside_the_owner_and_changes_nothing) {
    StoreFixture fixture;
    auto owner = fixture.open();
    BOOST_REQUIRE(owner->createUser("Yoda", "pw"));
    BOOST_REQUIRE(owner->createThread("Topic", "Yoda"));
    BOOST_REQUIRE(owner->postMessage("Topic", "Yoda", "hello"));
    BOOST_REQUIRE(dfp::test::uploadFile(*owner, "Topic", "a.txt", "Yoda", "aaa"));
    writeFile(fixture.tmpDir() / "someone-elses.upload", "in flight");
    const auto before = dfp::test::diskState(fixture);

    auto options = fixture.options();
    options.readOnly = true;
    auto store = fixture.open(options);
    BOOST_CHECK_EQUAL(store->schemaVersion(), latestSchemaVersion());
    BOOST_CHECK_EQUAL(outcome(store->findUser("YODA")), "ok");
    BOOST_CHECK_EQUAL(outcome(store->verifyUser("yoda", "pw")), "ok");
    BOOST_CHECK_EQUAL(dfp::test::listThreads(*store).announced, 1u);
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 2u);
    auto reader = store->openFile("Topic", "a.txt");
    BOOST_REQUIRE(reader);
    BOOST_CHECK_EQUAL(dfp::test::readAll(**reader), "aaa");
    BOOST_CHECK_THROW((void)store->createThread("Other", "Yoda"), std::logic_error);
    BOOST_CHECK_THROW((void)store->beginUpload("Topic", "b.txt", "Yoda", 1), std::logic_error);
    store->checkpoint();
    dfp::test::checkUnchanged(before, fixture);
    // The owner goes on writing meanwhile, and the reader sees it.
    BOOST_REQUIRE(owner->postMessage("Topic", "Yoda", "again"));
    view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 3u);
}

BOOST_AUTO_TEST_CASE(refuses_read_only_while_migrations_are_pending) {
    StoreFixture fixture;
    std::filesystem::create_directories(fixture.dataDir());
    BOOST_REQUIRE_EQUAL(
        dfp::storage::migrateDatabase(fixture.databaseFile(), embeddedMigrations().first(2)), 2);
    auto options = fixture.options();
    options.readOnly = true;
    BOOST_CHECK_EXCEPTION(fixture.open(options), StoreOpenError, [](const StoreOpenError& e) {
        return std::string(e.what()).find("migrations are pending") != std::string::npos;
    });
    BOOST_CHECK_EQUAL(userVersion(fixture.databaseFile()), 2);
}

BOOST_AUTO_TEST_CASE(refuses_read_only_without_a_database_and_creates_nothing) {
    StoreFixture fixture;
    auto options = fixture.options();
    options.readOnly = true;
    BOOST_CHECK_THROW(fixture.open(options), StoreOpenError);
    BOOST_CHECK(!std::filesystem::exists(fixture.dataDir()));
}

BOOST_AUTO_TEST_CASE(refuses_a_file_that_is_not_a_database) {
    StoreFixture fixture;
    std::filesystem::create_directories(fixture.dataDir());
    writeFile(fixture.databaseFile(), std::string(4096, 'z'));
    BOOST_CHECK_THROW(fixture.open(), StoreOpenError);
    BOOST_CHECK_EQUAL(dfp::test::readWholeFile(fixture.databaseFile()), std::string(4096, 'z'));
}

BOOST_AUTO_TEST_CASE(a_failing_migration_leaves_the_database_at_the_previous_version) {
    StoreFixture fixture;
    std::filesystem::create_directories(fixture.dataDir());
    const Migration broken[] = {
        {1, "create_a", "CREATE TABLE a (x INTEGER);"},
        {2, "create_b_badly", "CREATE TABLE b (x INTEGER); THIS IS NOT SQL;"},
    };
    BOOST_CHECK_EXCEPTION(dfp::storage::migrateDatabase(fixture.databaseFile(), broken),
                          std::runtime_error, [](const std::runtime_error& e) {
                              return std::string(e.what()).find("migration 2 (create_b_badly)") !=
                                     std::string::npos;
                          });
    BOOST_CHECK_EQUAL(userVersion(fixture.databaseFile()), 1);
    BOOST_CHECK(tableExists(fixture.databaseFile(), "a"));
    BOOST_CHECK(!tableExists(fixture.databaseFile(), "b"));
}

BOOST_AUTO_TEST_CASE(the_migration_runner_refuses_gaps_and_newer_databases) {
    StoreFixture fixture;
    std::filesystem::create_directories(fixture.dataDir());
    const Migration gap[] = {
        {1, "one", "CREATE TABLE a (x INTEGER);"},
        {3, "three", "CREATE TABLE c (x INTEGER);"},
    };
    BOOST_CHECK_THROW(dfp::storage::migrateDatabase(fixture.databaseFile(), gap),
                      std::runtime_error);
    BOOST_CHECK_EQUAL(userVersion(fixture.databaseFile()), 0);
    BOOST_REQUIRE_EQUAL(dfp::storage::migrateDatabase(fixture.databaseFile(), embeddedMigrations()),
                        latestSchemaVersion());
    BOOST_CHECK_THROW(
        dfp::storage::migrateDatabase(fixture.databaseFile(), embeddedMigrations().first(1)),
        std::runtime_error);
    BOOST_CHECK_EQUAL(userVersion(fixture.databaseFile()), latestSchemaVersion());
}

BOOST_AUTO_TEST_CASE(checkpoint_empties_the_write_ahead_log) {
    StoreFixture fixture;
    auto store = fixture.open();
    BOOST_REQUIRE(store->createUser("Yoda", "pw"));
    BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
    const auto wal = fixture.dataDir() / "forum.db-wal";
    BOOST_REQUIRE(std::filesystem::exists(wal));
    BOOST_CHECK_GT(std::filesystem::file_size(wal), 0u);
    store->checkpoint();
    BOOST_CHECK_EQUAL(std::filesystem::file_size(wal), 0u);
    BOOST_CHECK_EQUAL(outcome(store->findUser("Yoda")), "ok");
}

BOOST_AUTO_TEST_CASE(works_with_full_durability) {
    StoreFixture fixture;
    auto options = fixture.options();
    options.durability = dfp::storage::Durability::Full;
    {
        auto store = fixture.open(options);
        BOOST_REQUIRE(store->createUser("Yoda", "pw"));
        BOOST_REQUIRE(store->createThread("Topic", "Yoda"));
        BOOST_REQUIRE(store->postMessage("Topic", "Yoda", "durable"));
    }
    auto store = fixture.open(options);
    auto view = dfp::test::readThread(*store, "Topic");
    BOOST_REQUIRE(view);
    BOOST_CHECK_EQUAL(view->announced, 1u);
}

BOOST_AUTO_TEST_SUITE_END()
