// stats, users, threads, show, files: through AdminStore and through the command line, on a
// data directory populated through the ForumStore.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "admin_fixture.h"
#include "storage/admin_store.h"

using dfp::storage::StoreError;
using dfp::test::AdminFixture;
using dfp::test::outcome;
using dfp::test::parseJson;

namespace {

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        start = end == std::string::npos ? text.size() : end + 1;
    }
    return lines;
}

// Every row of a table starts its cells where the header starts that column's name.
void checkAligned(const std::string& table, const std::string& column, const std::string& cell,
                  std::size_t row) {
    const auto lines = linesOf(table);
    BOOST_REQUIRE_GT(lines.size(), row);
    const std::size_t at = lines.front().find(column);
    BOOST_REQUIRE_NE(at, std::string::npos);
    BOOST_TEST(lines[row].substr(at, cell.size()) == cell, table);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_store_reads)

BOOST_AUTO_TEST_CASE(stats_count_everything_in_one_snapshot) {
    AdminFixture fixture;
    fixture.populate();
    const auto stats = fixture.openAdmin()->stats();
    BOOST_TEST(stats.users == 2u);
    BOOST_TEST(stats.threads == 2u);
    BOOST_TEST(stats.messages == 3u);
    BOOST_TEST(stats.files == 1u);
    BOOST_TEST(stats.fileBytes == std::string("use the force").size());
    BOOST_TEST(stats.databaseBytes > 0u);
    BOOST_TEST(stats.schemaVersion == dfp::storage::latestSchemaVersion());
    BOOST_TEST(stats.latestSchemaVersion == dfp::storage::latestSchemaVersion());
    BOOST_REQUIRE(stats.lastActivity.has_value());
    BOOST_TEST(*stats.lastActivity > 0);
}

BOOST_AUTO_TEST_CASE(stats_of_an_empty_forum_have_no_last_activity) {
    AdminFixture fixture;
    { auto store = fixture.open(); }
    const auto stats = fixture.openAdmin()->stats();
    BOOST_TEST(stats.users == 0u);
    BOOST_TEST(stats.messages == 0u);
    BOOST_TEST(!stats.lastActivity.has_value());
}

BOOST_AUTO_TEST_CASE(lists_users_with_what_each_created_and_posted) {
    AdminFixture fixture;
    fixture.populate();
    const auto users = fixture.openAdmin()->listUsers();
    BOOST_REQUIRE_EQUAL(users.size(), 2u);
    BOOST_TEST(users[0].name == "Yoda");
    BOOST_TEST(users[0].threads == 1u);
    BOOST_TEST(users[0].messages == 1u);
    BOOST_TEST(users[0].files == 1u);
    BOOST_TEST(users[1].name == "Luke");
    BOOST_TEST(users[1].threads == 1u);
    BOOST_TEST(users[1].messages == 2u);
    BOOST_TEST(users[1].files == 0u);
}

BOOST_AUTO_TEST_CASE(lists_threads_oldest_first_with_their_counts) {
    AdminFixture fixture;
    fixture.populate();
    const auto threads = fixture.openAdmin()->listThreads();
    BOOST_REQUIRE_EQUAL(threads.size(), 2u);
    BOOST_TEST(threads[0].title == "jedi");
    BOOST_TEST(threads[0].creator == "Yoda");
    BOOST_TEST(threads[0].messages == 2u);
    BOOST_TEST(threads[0].files == 1u);
    BOOST_TEST(threads[0].fileBytes == 13u);
    BOOST_TEST(threads[0].lastActivity >= threads[0].created);
    BOOST_TEST(threads[1].title == "sith");
    BOOST_TEST(threads[1].messages == 1u);
    BOOST_TEST(threads[1].files == 0u);
}

BOOST_AUTO_TEST_CASE(shows_a_thread_in_posting_order) {
    AdminFixture fixture;
    fixture.populate();
    auto admin = fixture.openAdmin();
    const auto details = admin->showThread("jedi");
    BOOST_REQUIRE(details);
    BOOST_TEST(details->summary.creator == "Yoda");
    BOOST_REQUIRE_EQUAL(details->entries.size(), 3u);
    using Kind = dfp::storage::ThreadEntry::Kind;
    BOOST_TEST((details->entries[0].kind == Kind::Message));
    BOOST_TEST(details->entries[0].number == 1);
    BOOST_TEST(!details->entries[0].edited);
    BOOST_TEST(details->entries[1].author == "Luke");
    BOOST_TEST(details->entries[1].text == "there is\tno try");
    BOOST_TEST(details->entries[1].edited);
    BOOST_TEST((details->entries[2].kind == Kind::Upload));
    BOOST_TEST(details->entries[2].text == "notes.txt");
    BOOST_TEST(outcome(admin->showThread("JEDI")) == describe(StoreError::ThreadNotFound));
}

BOOST_AUTO_TEST_CASE(lists_the_files_of_one_thread_or_of_all) {
    AdminFixture fixture;
    fixture.populate();
    {
        auto store = fixture.open();
        BOOST_REQUIRE(dfp::test::uploadFile(*store, "sith", "plans.bin", "Luke", "xyz"));
    }
    auto admin = fixture.openAdmin();
    const auto all = admin->listFiles(std::nullopt);
    BOOST_REQUIRE(all);
    BOOST_REQUIRE_EQUAL(all->size(), 2u);
    BOOST_TEST((*all)[0].info.thread == "jedi");
    BOOST_TEST((*all)[0].info.sha256 == dfp::test::sha256Hex("use the force"));
    BOOST_TEST(std::filesystem::exists(fixture.filesDir() / (*all)[0].blob));
    BOOST_TEST((*all)[1].info.name == "plans.bin");
    const auto sith = admin->listFiles(std::string_view("sith"));
    BOOST_REQUIRE(sith);
    BOOST_REQUIRE_EQUAL(sith->size(), 1u);
    BOOST_TEST((*sith)[0].info.uploader == "Luke");
    BOOST_TEST(outcome(admin->listFiles(std::string_view("nope"))) ==
               describe(StoreError::ThreadNotFound));
}

BOOST_AUTO_TEST_CASE(reads_beside_the_owner_without_creating_or_changing_anything) {
    AdminFixture fixture;
    fixture.populate();
    auto owner = fixture.open();  // holds the data directory, as a running server does
    const auto before = dfp::test::diskState(fixture);
    const auto entriesBefore = dfp::test::directoryEntries(fixture.dataDir());
    {
        auto admin = fixture.openAdmin();
        (void)admin->stats();
        (void)admin->listUsers();
        (void)admin->listThreads();
        BOOST_REQUIRE(admin->showThread("jedi"));
        BOOST_REQUIRE(admin->listFiles(std::nullopt));
        BOOST_TEST(admin->check().problems.empty());
        BOOST_CHECK_THROW((void)admin->removeThreadAsModerator("jedi"), std::logic_error);
        dfp::test::checkUnchanged(before, fixture);
        // The owner keeps writing meanwhile, and the next read sees it.
        BOOST_REQUIRE(owner->postMessage("sith", "Luke", "more"));
        BOOST_TEST(admin->stats().messages == 4u);
    }
    BOOST_TEST(dfp::test::directoryEntries(fixture.dataDir()) == entriesBefore);
}

BOOST_AUTO_TEST_CASE(refuses_a_directory_without_a_database_and_creates_nothing) {
    AdminFixture fixture;
    BOOST_CHECK_THROW(fixture.openAdmin(), dfp::storage::StoreOpenError);
    BOOST_CHECK_THROW(fixture.openAdmin(/*readOnly=*/false), dfp::storage::StoreOpenError);
    BOOST_TEST(!std::filesystem::exists(fixture.dataDir()));
    const auto run = fixture.run({"stats"});
    BOOST_TEST(run.status == 1, run);
    BOOST_TEST(run.err.find("no database at") != std::string::npos, run);
    BOOST_TEST(!std::filesystem::exists(fixture.dataDir()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(admin_read_commands)

BOOST_AUTO_TEST_CASE(stats_prints_a_record_and_json) {
    AdminFixture fixture;
    fixture.populate();
    const auto text = fixture.run({"stats"});
    BOOST_REQUIRE_EQUAL(text.status, 0);
    BOOST_TEST(text.out.find("users           2\n") != std::string::npos, text);
    BOOST_TEST(text.out.find("messages        3\n") != std::string::npos, text);
    BOOST_TEST(text.out.find("file bytes      13 (13 B)\n") != std::string::npos, text);
    BOOST_TEST(text.err.empty());

    const auto json = fixture.run({"--json", "stats"});
    BOOST_REQUIRE_EQUAL(json.status, 0);
    const auto document = parseJson(json.out);
    BOOST_TEST(document->getValue<int>("users") == 2);
    BOOST_TEST(document->getValue<int>("threads") == 2);
    BOOST_TEST(document->getValue<int>("messages") == 3);
    BOOST_TEST(document->getValue<int>("files") == 1);
    BOOST_TEST(document->getValue<int>("fileBytes") == 13);
    BOOST_TEST(document->getValue<int>("schemaVersion") == dfp::storage::latestSchemaVersion());
    BOOST_TEST(document->getValue<Poco::Int64>("lastActivity") > 0);
}

BOOST_AUTO_TEST_CASE(users_prints_an_aligned_table_and_json) {
    AdminFixture fixture;
    fixture.populate();
    const auto text = fixture.run({"users"});
    BOOST_REQUIRE_EQUAL(text.status, 0);
    checkAligned(text.out, "NAME", "Yoda", 1);
    checkAligned(text.out, "NAME", "Luke", 2);
    checkAligned(text.out, "CREATED", "20", 1);

    const auto json = fixture.run({"users", "--json"});  // global options may follow
    BOOST_REQUIRE_EQUAL(json.status, 0);
    const auto users = parseJson(json.out)->getArray("users");
    BOOST_REQUIRE_EQUAL(users->size(), 2u);
    BOOST_TEST(users->getObject(0)->getValue<std::string>("name") == "Yoda");
    BOOST_TEST(users->getObject(1)->getValue<int>("messages") == 2);
    BOOST_TEST(users->getObject(1)->getValue<Poco::Int64>("created") > 0);
}

BOOST_AUTO_TEST_CASE(threads_prints_an_aligned_table_and_json) {
    AdminFixture fixture;
    fixture.populate();
    const auto text = fixture.run({"threads"});
    BOOST_REQUIRE_EQUAL(text.status, 0);
    checkAligned(text.out, "TITLE", "jedi", 1);
    checkAligned(text.out, "CREATOR", "Luke", 2);

    const auto json = fixture.run({"--json", "threads"});
    BOOST_REQUIRE_EQUAL(json.status, 0);
    const auto threads = parseJson(json.out)->getArray("threads");
    BOOST_REQUIRE_EQUAL(threads->size(), 2u);
    const auto jedi = threads->getObject(0);
    BOOST_TEST(jedi->getValue<std::string>("title") == "jedi");
    BOOST_TEST(jedi->getValue<std::string>("creator") == "Yoda");
    BOOST_TEST(jedi->getValue<int>("messages") == 2);
    BOOST_TEST(jedi->getValue<int>("files") == 1);
    BOOST_TEST(jedi->getValue<int>("fileBytes") == 13);
}

BOOST_AUTO_TEST_CASE(show_prints_the_thread_and_json_that_keeps_the_text_exactly) {
    AdminFixture fixture;
    fixture.populate();
    {
        auto store = fixture.open();
        BOOST_REQUIRE(store->postMessage("jedi", "Yoda", "ünïcödé \"quotes\" \\ and\ttab"));
    }
    const auto text = fixture.run({"show", "jedi"});
    BOOST_REQUIRE_EQUAL(text.status, 0);
    BOOST_TEST(text.out.find("do or do not") != std::string::npos, text);
    // A TAB would break the table's columns: people see a space.
    BOOST_TEST(text.out.find("there is no try [edited]") != std::string::npos, text);
    BOOST_TEST(text.out.find("uploaded notes.txt") != std::string::npos, text);

    const auto json = fixture.run({"--json", "show", "jedi"});
    BOOST_REQUIRE_EQUAL(json.status, 0);
    const auto document = parseJson(json.out);
    BOOST_TEST(document->getObject("thread")->getValue<std::string>("title") == "jedi");
    const auto entries = document->getArray("entries");
    BOOST_REQUIRE_EQUAL(entries->size(), 4u);
    BOOST_TEST(entries->getObject(0)->getValue<std::string>("kind") == "message");
    BOOST_TEST(entries->getObject(0)->getValue<int>("number") == 1);
    BOOST_TEST(entries->getObject(1)->getValue<std::string>("text") == "there is\tno try");
    BOOST_TEST(entries->getObject(1)->getValue<bool>("edited"));
    BOOST_TEST(entries->getObject(2)->getValue<std::string>("kind") == "upload");
    BOOST_TEST(entries->getObject(2)->getValue<std::string>("file") == "notes.txt");
    BOOST_TEST(entries->getObject(3)->getValue<std::string>("text") ==
               "ünïcödé \"quotes\" \\ and\ttab");
    BOOST_TEST(entries->getObject(3)->getValue<int>("number") == 3);
}

BOOST_AUTO_TEST_CASE(show_and_files_refuse_an_unknown_thread) {
    AdminFixture fixture;
    fixture.populate();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"show", "nope"}, std::vector<std::string>{"files", "nope"}}) {
        const auto run = fixture.run(args);
        BOOST_TEST(run.status == 1, run);
        BOOST_TEST(run.err == "dfp-admin: no thread titled nope\n", run);
        BOOST_TEST(run.out.empty());
    }
}

BOOST_AUTO_TEST_CASE(files_prints_every_file_or_one_threads_and_json) {
    AdminFixture fixture;
    fixture.populate();
    const auto text = fixture.run({"files"});
    BOOST_REQUIRE_EQUAL(text.status, 0);
    checkAligned(text.out, "NAME", "notes.txt", 1);
    checkAligned(text.out, "SHA256", dfp::test::sha256Hex("use the force"), 1);
    const auto none = fixture.run({"files", "sith"});
    BOOST_REQUIRE_EQUAL(none.status, 0);
    BOOST_TEST(none.out == "no files in thread sith\n");

    const auto json = fixture.run({"--json", "files", "jedi"});
    BOOST_REQUIRE_EQUAL(json.status, 0);
    const auto files = parseJson(json.out)->getArray("files");
    BOOST_REQUIRE_EQUAL(files->size(), 1u);
    const auto file = files->getObject(0);
    BOOST_TEST(file->getValue<std::string>("thread") == "jedi");
    BOOST_TEST(file->getValue<std::string>("name") == "notes.txt");
    BOOST_TEST(file->getValue<std::string>("uploader") == "Yoda");
    BOOST_TEST(file->getValue<int>("size") == 13);
    BOOST_TEST(file->getValue<std::string>("sha256") == dfp::test::sha256Hex("use the force"));
    BOOST_TEST(std::filesystem::exists(fixture.filesDir() / file->getValue<std::string>("blob")));
}

BOOST_AUTO_TEST_CASE(every_read_command_works_on_an_empty_forum) {
    AdminFixture fixture;
    { auto store = fixture.open(); }
    const std::vector<std::vector<std::string>> commands = {
        {"stats"}, {"users"}, {"threads"}, {"files"}, {"check"}};
    for (const auto& command : commands) {
        const auto text = fixture.run(command);
        BOOST_TEST(text.status == 0, text);
        auto json = command;
        json.insert(json.begin(), "--json");
        const auto parsed = fixture.run(json);
        BOOST_TEST(parsed.status == 0, parsed);
        BOOST_CHECK_NO_THROW(parseJson(parsed.out));
    }
    BOOST_TEST(fixture.run({"users"}).out == "no users\n");
    BOOST_TEST(fixture.run({"threads"}).out == "no threads\n");
    BOOST_TEST(fixture.run({"files"}).out == "no files\n");
}

BOOST_AUTO_TEST_CASE(read_commands_run_while_the_owner_holds_the_data_directory) {
    AdminFixture fixture;
    fixture.populate();
    auto owner = fixture.open();
    const int lock = ::open((fixture.dataDir() / "lock").c_str(), O_RDWR);
    BOOST_REQUIRE_GE(lock, 0);
    // The owner's lock is held: a second owner would be refused, readers are not.
    BOOST_TEST(::flock(lock, LOCK_EX | LOCK_NB) != 0);
    ::close(lock);
    for (const char* command : {"stats", "users", "threads", "files", "check"}) {
        const auto run = fixture.run({command});
        BOOST_TEST(run.status == 0, run);
    }
    BOOST_TEST(fixture.run({"show", "jedi"}).status == 0);
}

BOOST_AUTO_TEST_SUITE_END()
