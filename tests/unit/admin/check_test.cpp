// check: every problem it can find, named, and nothing changed by looking.

#include <filesystem>
#include <set>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/test/unit_test.hpp>

#include "admin_fixture.h"
#include "storage/admin_store.h"

using dfp::storage::CheckProblem;
using dfp::test::AdminFixture;
using dfp::test::parseJson;
using dfp::test::writeFile;

namespace {

using Kind = CheckProblem::Kind;

const CheckProblem* findProblem(const dfp::storage::CheckReport& report, Kind kind) {
    for (const CheckProblem& problem : report.problems) {
        if (problem.kind == kind) {
            return &problem;
        }
    }
    return nullptr;
}

// Three more files in "jedi", so that each can be damaged differently.
void uploadVictims(AdminFixture& fixture) {
    auto store = fixture.open();
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "jedi", "short.txt", "Yoda", "truncate me"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "jedi", "gone.txt", "Yoda", "delete me"));
    BOOST_REQUIRE(dfp::test::uploadFile(*store, "jedi", "flipped.txt", "Yoda", "flip me"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_check)

BOOST_AUTO_TEST_CASE(a_healthy_data_directory_is_clean) {
    AdminFixture fixture;
    fixture.populate();
    uploadVictims(fixture);
    const auto report = fixture.openAdmin()->check();
    BOOST_TEST(report.problems.empty());
    BOOST_TEST(report.filesChecked == 4u);

    const auto run = fixture.run({"check"});
    BOOST_TEST(run.status == 0, run);
    BOOST_TEST(run.out.find(" is clean: ") != std::string::npos, run);
    const auto json = fixture.run({"--json", "check"});
    BOOST_TEST(json.status == 0, json);
    const auto document = parseJson(json.out);
    BOOST_TEST(document->getValue<bool>("clean"));
    BOOST_TEST(document->getValue<int>("filesChecked") == 4);
    BOOST_TEST(document->getArray("problems")->size() == 0u);
}

BOOST_AUTO_TEST_CASE(names_a_truncated_a_missing_a_changed_and_an_orphan_blob) {
    AdminFixture fixture;
    fixture.populate();
    uploadVictims(fixture);
    const auto truncated = fixture.blobWith("truncate me");
    std::filesystem::resize_file(truncated, 4);
    const auto missing = fixture.blobWith("delete me");
    std::filesystem::remove(missing);
    const auto flipped = fixture.blobWith("flip me");
    writeFile(flipped, "flip ME");
    writeFile(fixture.filesDir() / "0123456789abcdef0123456789abcdef", "nobody's");
    const auto stateBefore = dfp::test::diskState(fixture);

    const auto report = fixture.openAdmin()->check();
    BOOST_REQUIRE_EQUAL(report.problems.size(), 4u);
    const CheckProblem* size = findProblem(report, Kind::BlobSize);
    BOOST_REQUIRE(size != nullptr);
    BOOST_TEST(size->subject == "jedi/short.txt");
    BOOST_TEST(size->message.find(truncated.filename().string()) != std::string::npos);
    BOOST_TEST(size->message.find("has 4 bytes, its row says 11") != std::string::npos);
    const CheckProblem* gone = findProblem(report, Kind::MissingBlob);
    BOOST_REQUIRE(gone != nullptr);
    BOOST_TEST(gone->subject == "jedi/gone.txt");
    BOOST_TEST(gone->message.find(missing.filename().string() + " is missing") !=
               std::string::npos);
    const CheckProblem* changed = findProblem(report, Kind::BlobChecksum);
    BOOST_REQUIRE(changed != nullptr);
    BOOST_TEST(changed->subject == "jedi/flipped.txt");
    const CheckProblem* orphan = findProblem(report, Kind::OrphanBlob);
    BOOST_REQUIRE(orphan != nullptr);
    BOOST_TEST(orphan->subject == "files/0123456789abcdef0123456789abcdef");

    // The command line names every one and exits 1; the JSON says the same.
    const auto run = fixture.run({"check"});
    BOOST_TEST(run.status == 1, run);
    for (const std::string& needle :
         {std::string("jedi/short.txt"), std::string("jedi/gone.txt"),
          std::string("jedi/flipped.txt"), std::string("0123456789abcdef0123456789abcdef"),
          std::string("check: 4 problems")}) {
        BOOST_TEST(run.out.find(needle) != std::string::npos, needle << " in\n" << run);
    }
    const auto json = fixture.run({"--json", "check"});
    BOOST_TEST(json.status == 1, json);
    const auto document = parseJson(json.out);
    BOOST_TEST(!document->getValue<bool>("clean"));
    const auto problems = document->getArray("problems");
    BOOST_REQUIRE_EQUAL(problems->size(), 4u);
    std::set<std::string> kinds;
    for (std::size_t i = 0; i < problems->size(); ++i) {
        kinds.insert(problems->getObject(static_cast<unsigned>(i))->getValue<std::string>("kind"));
    }
    BOOST_TEST((kinds == std::set<std::string>{"blob-size", "missing-blob", "blob-checksum",
                                               "orphan-blob"}));

    // Looking repaired and removed nothing.
    dfp::test::checkUnchanged(stateBefore, fixture);
}

BOOST_AUTO_TEST_CASE(names_leftover_temp_files_and_missing_directories) {
    AdminFixture fixture;
    fixture.populate();
    writeFile(fixture.tmpDir() / "abc.upload", "half an upload");
    auto report = fixture.openAdmin()->check();
    BOOST_REQUIRE_EQUAL(report.problems.size(), 1u);
    BOOST_TEST((report.problems[0].kind == Kind::TempFile));
    BOOST_TEST(report.problems[0].subject == "tmp/abc.upload");
    BOOST_TEST(std::filesystem::exists(fixture.tmpDir() / "abc.upload"));

    std::filesystem::remove_all(fixture.tmpDir());
    report = fixture.openAdmin()->check();
    BOOST_REQUIRE_EQUAL(report.problems.size(), 1u);
    BOOST_TEST((report.problems[0].kind == Kind::MissingDirectory));
    BOOST_TEST(report.problems[0].message.find("tmp") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(names_a_row_whose_parent_row_is_gone) {
    AdminFixture fixture;
    fixture.populate();
    {
        // What a bug or a hand edit with foreign keys off could leave behind.
        SQLite::Database db(fixture.databaseFile(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA foreign_keys = OFF");
        db.exec(
            "INSERT INTO messages (thread_id, number, seq, author_id, text, created)"
            " VALUES (999, 1, 1, 1, 'lost', 0)");
    }
    const auto report = fixture.openAdmin()->check();
    const CheckProblem* foreignKey = findProblem(report, Kind::ForeignKey);
    BOOST_REQUIRE(foreignKey != nullptr);
    BOOST_TEST(foreignKey->message.find("of messages refers to a row of threads") !=
               std::string::npos);
    const auto run = fixture.run({"check"});
    BOOST_TEST(run.status == 1, run);
    BOOST_TEST(run.out.find("problem: database foreign key") != std::string::npos, run);
}

BOOST_AUTO_TEST_CASE(stays_clean_while_the_owner_uploads_and_removes_files) {
    AdminFixture fixture;
    fixture.populate();
    auto owner = fixture.open();
    auto admin = fixture.openAdmin();
    for (int round = 0; round < 3; ++round) {
        const std::string name = "f" + std::to_string(round);
        BOOST_REQUIRE(dfp::test::uploadFile(*owner, "sith", name, "Luke", name));
        BOOST_TEST(admin->check().problems.empty());
        BOOST_REQUIRE(owner->removeFile("sith", name, "Luke"));
        BOOST_TEST(admin->check().problems.empty());
    }
}

BOOST_AUTO_TEST_SUITE_END()
