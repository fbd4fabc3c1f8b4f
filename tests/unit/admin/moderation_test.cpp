// remove-thread, remove-message, remove-file, reset-password: one transaction each, blobs
// unlinked after the commit, a clear refusal (and nothing changed) for a missing target.

#include <filesystem>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "admin_fixture.h"
#include "storage/admin_store.h"

using dfp::storage::StoreError;
using dfp::test::AdminFixture;
using dfp::test::outcome;
using dfp::test::parseJson;

BOOST_AUTO_TEST_SUITE(admin_moderation)

BOOST_AUTO_TEST_CASE(removes_a_thread_with_its_messages_files_and_blobs) {
    AdminFixture fixture;
    fixture.populate();
    auto owner = fixture.open();  // moderation runs beside the server
    const auto blob = fixture.blobWith("use the force");

    const auto run = fixture.run({"remove-thread", "jedi"});
    BOOST_TEST(run.status == 0, run);
    BOOST_TEST(run.out == "removed thread jedi with 2 messages and 1 file\n");
    BOOST_TEST(!std::filesystem::exists(blob));
    BOOST_TEST(outcome(dfp::test::readThread(*owner, "jedi")) ==
               describe(StoreError::ThreadNotFound));
    BOOST_TEST(dfp::test::listThreads(*owner).announced == 1u);
    // The title is free again, and a new thread under it starts over.
    BOOST_REQUIRE(owner->createThread("jedi", "Luke"));
    BOOST_TEST(*owner->postMessage("jedi", "Luke", "new") == 1);
}

BOOST_AUTO_TEST_CASE(removes_one_message_and_never_reuses_its_number) {
    AdminFixture fixture;
    fixture.populate();
    auto owner = fixture.open();
    const auto run = fixture.run({"--json", "remove-message", "jedi", "2"});
    BOOST_TEST(run.status == 0, run);
    const auto document = parseJson(run.out);
    BOOST_TEST(document->getValue<std::string>("removed") == "message");
    BOOST_TEST(document->getValue<int>("number") == 2);
    auto view = dfp::test::readThread(*owner, "jedi");
    BOOST_REQUIRE(view);
    BOOST_REQUIRE_EQUAL(view->entries.size(), 2u);
    BOOST_TEST(view->entries[0].number == 1);
    BOOST_TEST(view->entries[1].text == "notes.txt");
    BOOST_TEST(*owner->postMessage("jedi", "Yoda", "next") == 3);
}

BOOST_AUTO_TEST_CASE(removes_a_file_and_its_blob) {
    AdminFixture fixture;
    fixture.populate();
    auto owner = fixture.open();
    const auto blob = fixture.blobWith("use the force");
    const auto run = fixture.run({"remove-file", "jedi", "notes.txt"});
    BOOST_TEST(run.status == 0, run);
    BOOST_TEST(run.out == "removed file notes.txt from thread jedi\n");
    BOOST_TEST(!std::filesystem::exists(blob));
    BOOST_TEST(outcome(owner->openFile("jedi", "notes.txt")) == describe(StoreError::FileNotFound));
    BOOST_TEST(fixture.run({"check"}).status == 0);
}

BOOST_AUTO_TEST_CASE(refuses_each_missing_target_clearly_and_changes_nothing) {
    AdminFixture fixture;
    fixture.populate();
    const auto before = dfp::test::diskState(fixture);
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"remove-thread", "Jedi"}, "no thread titled Jedi; nothing removed"},
        {{"remove-message", "nope", "1"}, "no thread titled nope; nothing removed"},
        {{"remove-message", "jedi", "3"}, "thread jedi has no message 3; nothing removed"},
        {{"remove-message", "jedi", "0"}, "thread jedi has no message 0; nothing removed"},
        {{"remove-file", "nope", "notes.txt"}, "no thread titled nope; nothing removed"},
        {{"remove-file", "jedi", "NOTES.txt"},
         "thread jedi has no file NOTES.txt; nothing removed"},
        {{"remove-file", "sith", "notes.txt"},
         "thread sith has no file notes.txt; nothing removed"},
        {{"reset-password", "vader"}, "no user named vader; nothing changed"},
    };
    for (const auto& [args, message] : cases) {
        const auto run = fixture.run(args);
        BOOST_TEST(run.status == 1, run);
        BOOST_TEST(run.err == "dfp-admin: " + message + "\n", run);
        BOOST_TEST(run.out.empty(), run);
    }
    BOOST_TEST(fixture.secrets.prompts.empty());  // nobody was asked for a password
    dfp::test::checkUnchanged(before, fixture);
}

BOOST_AUTO_TEST_CASE(refuses_a_message_number_that_is_not_one) {
    AdminFixture fixture;
    fixture.populate();
    for (const std::string number : {"x", "1.5", "", "1234567890123456789"}) {
        const auto run = fixture.run({"remove-message", "jedi", number});
        BOOST_TEST(run.status == 2, run);
        BOOST_TEST(run.err.find("message number must be 1 to 18 digits") != std::string::npos, run);
    }
}

BOOST_AUTO_TEST_CASE(reset_password_reads_one_line_from_a_pipe) {
    AdminFixture fixture;
    fixture.populate();
    auto owner = fixture.open();
    fixture.secrets.lines = {"a new hope"};
    const auto run = fixture.run({"reset-password", "yoda", "--password-hash-cost=min"});
    BOOST_TEST(run.status == 0, run);
    BOOST_TEST(run.out == "password of Yoda reset\n");
    BOOST_TEST(outcome(owner->verifyUser("Yoda", "a new hope")) == "ok");
    BOOST_TEST(outcome(owner->verifyUser("Yoda", "old password")) ==
               describe(StoreError::WrongPassword));
    BOOST_TEST(outcome(owner->verifyUser("Luke", "pw")) == "ok");
}

BOOST_AUTO_TEST_CASE(reset_password_on_a_terminal_asks_twice_and_refuses_a_mismatch) {
    AdminFixture fixture;
    fixture.populate();
    fixture.secrets.terminal = true;
    fixture.secrets.lines = {"first try", "second try"};
    const auto mismatch = fixture.run({"reset-password", "Yoda", "--password-hash-cost=min"});
    BOOST_TEST(mismatch.status == 1, mismatch);
    BOOST_TEST(mismatch.err.find("the two passwords differ; nothing changed") != std::string::npos,
               mismatch);
    BOOST_TEST(fixture.secrets.prompts ==
               (std::vector<std::string>{"New password for Yoda: ", "Repeat it: "}));

    fixture.secrets.lines = {"same one", "same one"};
    const auto json =
        fixture.run({"--json", "reset-password", "Yoda", "--password-hash-cost", "min"});
    BOOST_TEST(json.status == 0, json);
    BOOST_TEST(parseJson(json.out)->getValue<std::string>("passwordReset") == "Yoda");
    auto owner = fixture.open();
    BOOST_TEST(outcome(owner->verifyUser("Yoda", "same one")) == "ok");
}

BOOST_AUTO_TEST_CASE(reset_password_refuses_a_password_the_protocol_would_refuse) {
    AdminFixture fixture;
    fixture.populate();
    const auto before = dfp::test::diskState(fixture);
    for (const std::string& password : {std::string(""), std::string(129, 'x'),
                                        std::string("bell\x07"), std::string("\xff\xfe")}) {
        fixture.secrets.lines = {password};
        const auto run = fixture.run({"reset-password", "Yoda", "--password-hash-cost=min"});
        BOOST_TEST(run.status == 1, run);
        BOOST_TEST(run.err.find("password refused: ") != std::string::npos, run);
    }
    fixture.secrets.lines.clear();  // end of input
    const auto nothing = fixture.run({"reset-password", "Yoda", "--password-hash-cost=min"});
    BOOST_TEST(nothing.status == 1, nothing);
    BOOST_TEST(nothing.err.find("no password given") != std::string::npos, nothing);
    const auto badCost = fixture.run({"reset-password", "Yoda", "--password-hash-cost=cheap"});
    BOOST_TEST(badCost.status == 2, badCost);
    dfp::test::checkUnchanged(before, fixture);
}

BOOST_AUTO_TEST_SUITE_END()
