// dfp-admin beside a running dfp-server: read commands, check, moderation seen by a connected
// client, reset-password for the next login.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/admin_runner.h"
#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

void upload(LineClient& client, const std::string& title, const std::string& name,
            const std::string& bytes) {
    client.expect("UPD " + title + " " + name + " " + std::to_string(bytes.size()), 340);
    client.sendRaw(bytes);
    const Response stored = client.readStatus();
    if (stored.code != 201) {
        throw ClientError("upload of " + name + " answered " + stored.line);
    }
}

Lines readThread(LineClient& client, const std::string& title) {
    client.expect("RDT " + title, 210);
    return client.readBody();
}

// Registers the account, then leaves so that the name is free for the next login.
void registerAccount(ServerFixture& fixture, const std::string& user) {
    LineClient client = fixture.loggedIn(user);
    client.expect("XIT", 221);
    client.expectClosed();
}

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

// The blob in files/ that holds exactly these bytes (found by content, as an operator would).
std::filesystem::path blobWith(const std::filesystem::path& dataDir, const std::string& bytes) {
    for (const auto& entry : std::filesystem::directory_iterator(dataDir / "files")) {
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string content((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
        if (content == bytes) {
            return entry.path();
        }
    }
    throw std::runtime_error("no blob holds " + bytes);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_live)

BOOST_FIXTURE_TEST_CASE(read_commands_work_while_the_server_holds_the_data_dir, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    yoda.expect("CRT jedi", 201);
    yoda.expect("MSG jedi do or do not", 201);
    upload(yoda, "jedi", "notes.txt", "hello");
    const std::string dir = dataDirOption(dataDir());

    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{dir, "stats"}, "messages        1\n"},
        {{dir, "users"}, "yoda"},
        {{dir, "threads"}, "jedi"},
        {{dir, "show", "jedi"}, "uploaded notes.txt"},
        {{dir, "files"}, sha256Hex("hello")},
        {{dir, "files", "jedi"}, "notes.txt"},
        {{dir, "check"}, " is clean: "},
        {{dir, "--json", "stats"}, "\"messages\":1"},
    };
    for (const auto& [args, expected] : cases) {
        const ClientRun run = runAdminBinary(args);
        BOOST_TEST(run.status == 0, describeRun(run));
        BOOST_TEST(contains(run.out, expected), expected << " in " << describeRun(run));
    }
    // The server went on serving, reads and writes alike.
    yoda.expect("MSG jedi still here", 201);
    BOOST_TEST(readThread(yoda, "jedi").size() == 3u);
    BOOST_TEST(server().running());
}

BOOST_FIXTURE_TEST_CASE(moderation_is_seen_in_a_connected_clients_next_rdt, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    yoda.expect("CRT jedi", 201);
    yoda.expect("MSG jedi one", 201);
    yoda.expect("MSG jedi two", 201);
    yoda.expect("MSG jedi three", 201);
    upload(yoda, "jedi", "notes.txt", "the notes");
    yoda.expect("CRT sith", 201);
    BOOST_TEST(readThread(yoda, "jedi") ==
               (Lines{"1 yoda: one", "2 yoda: two", "3 yoda: three", "yoda uploaded notes.txt"}));
    const std::string dir = dataDirOption(dataDir());

    const ClientRun message = runAdminBinary({dir, "remove-message", "jedi", "2"});
    BOOST_TEST(message.status == 0, describeRun(message));
    BOOST_TEST(readThread(yoda, "jedi") ==
               (Lines{"1 yoda: one", "3 yoda: three", "yoda uploaded notes.txt"}));

    const ClientRun file = runAdminBinary({dir, "remove-file", "jedi", "notes.txt"});
    BOOST_TEST(file.status == 0, describeRun(file));
    BOOST_TEST(readThread(yoda, "jedi") == (Lines{"1 yoda: one", "3 yoda: three"}));
    BOOST_TEST(yoda.request("DWN jedi notes.txt").code == 404);

    const ClientRun thread = runAdminBinary({dir, "remove-thread", "sith"});
    BOOST_TEST(thread.status == 0, describeRun(thread));
    BOOST_TEST(yoda.request("RDT sith").code == 404);

    // A target that is not there is refused, and nothing changes.
    const ClientRun missing = runAdminBinary({dir, "remove-message", "jedi", "2"});
    BOOST_TEST(missing.status == 1, describeRun(missing));
    BOOST_TEST(contains(missing.err, "thread jedi has no message 2"), describeRun(missing));
    BOOST_TEST(readThread(yoda, "jedi") == (Lines{"1 yoda: one", "3 yoda: three"}));
    // Numbering goes on past the removed message.
    BOOST_TEST(yoda.request("MSG jedi four").field(1) == "4");
    const ClientRun check = runAdminBinary({dir, "check"});
    BOOST_TEST(check.status == 0, describeRun(check));
}

BOOST_FIXTURE_TEST_CASE(reset_password_takes_effect_at_the_next_login, StartedServer) {
    registerAccount(*this, "luke");
    const ClientRun reset = runAdminBinary(
        {dataDirOption(dataDir()), "reset-password", "LUKE", "--password-hash-cost=min"},
        "i am your father\n");
    BOOST_TEST(reset.status == 0, describeRun(reset));
    BOOST_TEST(reset.out == "password of luke reset\n");
    LineClient old = connect("old password");
    old.expect("USER luke", 331);
    BOOST_TEST(old.request("PASS " + std::string(kPassword)).code == 401);
    LineClient fresh = connect("new password");
    fresh.expect("USER luke", 331);
    BOOST_TEST(fresh.request("PASS i am your father").code == 230);
}

BOOST_FIXTURE_TEST_CASE(reset_password_on_a_terminal_asks_twice_without_echo, StartedServer) {
    registerAccount(*this, "luke");
    ClientLaunch launch;
    launch.binary = DFP_ADMIN_PATH;
    launch.args = {dataDirOption(dataDir()), "reset-password", "luke", "--password-hash-cost=min"};
    launch.unsetEnv = {"DFP_ADMIN_PASSWORD"};
    launch.terminal = true;
    ClientProcess admin(launch);
    BOOST_REQUIRE(admin.waitForOutput("New password for luke: ", kAdminDeadline));
    admin.send("use the force\n");
    BOOST_REQUIRE(admin.waitForOutput("Repeat it: ", kAdminDeadline));
    admin.send("use the force\n");
    const auto status = admin.waitExit(kAdminDeadline);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(*status == 0, admin.output());
    BOOST_TEST(contains(admin.output(), "password of luke reset"), admin.output());
    BOOST_TEST(!contains(admin.output(), "use the force"), admin.output());  // never echoed
    LineClient fresh = connect("new password");
    fresh.expect("USER luke", 331);
    BOOST_TEST(fresh.request("PASS use the force").code == 230);
}

BOOST_FIXTURE_TEST_CASE(check_names_a_truncated_a_missing_and_an_orphan_blob, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    yoda.expect("CRT jedi", 201);
    upload(yoda, "jedi", "short.txt", "truncate me");
    upload(yoda, "jedi", "gone.txt", "delete me");
    upload(yoda, "jedi", "fine.txt", "leave me");
    const std::string dir = dataDirOption(dataDir());
    BOOST_REQUIRE_EQUAL(runAdminBinary({dir, "check"}).status, 0);

    std::filesystem::resize_file(blobWith(dataDir(), "truncate me"), 3);
    const std::filesystem::path gone = blobWith(dataDir(), "delete me");
    std::filesystem::remove(gone);
    const std::string orphan = "fedcba9876543210fedcba9876543210";
    std::ofstream(dataDir() / "files" / orphan) << "nobody's";

    const ClientRun check = runAdminBinary({dir, "check"});
    BOOST_TEST(check.status == 1, describeRun(check));
    BOOST_TEST(contains(check.out, "file jedi/short.txt"), describeRun(check));
    BOOST_TEST(contains(check.out, "has 3 bytes, its row says 11"), describeRun(check));
    BOOST_TEST(contains(check.out, "file jedi/gone.txt"), describeRun(check));
    BOOST_TEST(contains(check.out, gone.filename().string() + " is missing"), describeRun(check));
    BOOST_TEST(contains(check.out, "orphan blob files/" + orphan), describeRun(check));
    BOOST_TEST(!contains(check.out, "fine.txt"), describeRun(check));
    BOOST_TEST(contains(check.out, "check: 3 problems"), describeRun(check));
    // Reporting removed nothing.
    BOOST_TEST(std::filesystem::exists(dataDir() / "files" / orphan));
}

BOOST_AUTO_TEST_SUITE_END()
