// Hostile clients (the reliability issue): slowloris connections, clients that stop reading
// or stall an upload, password guessing across connections, a full disk. Each runs the real
// server with limits small enough to reach in a test; every wait has a deadline.

#include <boost/test/unit_test.hpp>

#include <sys/mount.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

bool isEmptyDir(const std::filesystem::path& dir) {
    return !std::filesystem::exists(dir) || std::filesystem::is_empty(dir);
}

// Creates thread "big" and uploads `bytes` to it as blob.bin, through to the 201.
void uploadBigBlob(LineClient& uploader, const std::string& bytes) {
    uploader.expect("CRT big", 201);
    uploader.expect("UPD big blob.bin " + std::to_string(bytes.size()), 340);
    uploader.sendRaw(bytes);
    BOOST_TEST_REQUIRE(uploader.readStatus().code == 201);
}

// A small tmpfs over a directory for the life of the guard: a real full disk. Detached
// lazily on the way out, so a server still holding files there does not make it fail.
class SmallFilesystem {
public:
    SmallFilesystem(const std::filesystem::path& dir, const std::string& size) : dir_(dir) {
        std::filesystem::create_directories(dir);
        const std::string options = "size=" + size;
        if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
            throw std::system_error(errno, std::generic_category(),
                                    "mount tmpfs on " + dir.string() + " (the tests run as root)");
        }
    }
    ~SmallFilesystem() { ::umount2(dir_.c_str(), MNT_DETACH); }
    SmallFilesystem(const SmallFilesystem&) = delete;
    SmallFilesystem& operator=(const SmallFilesystem&) = delete;

private:
    std::filesystem::path dir_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_clients)

BOOST_FIXTURE_TEST_CASE(slowloris_connections_cannot_lock_out_real_users, ServerFixture) {
    start({"--max-sessions=100", "--max-prelogin-sessions=20"});
    LineClient veteran = loggedIn("veteran");

    // Sixty connections that each trickle one byte and never finish a line. Each greeting
    // arrives after the server has placed that connection, so the order here is the
    // server's order, and the 21st waiter pushes out the oldest.
    std::vector<LineClient> tricklers;
    for (int i = 0; i < 60; ++i) {
        tricklers.push_back(connect("trickler-" + std::to_string(i)));
        tricklers.back().sendRaw("U");
    }
    for (int i = 0; i < 40; ++i) {
        tricklers[i].expectClosed();
    }
    // A real user still gets in, and the logged-in one was never at risk.
    LineClient newcomer = loggedIn("newcomer");
    BOOST_TEST(newcomer.request("CRT still-here").code == 201);
    BOOST_TEST(veteran.request("PING").code == 200);
    BOOST_TEST(tricklers[59].isOpen());
}

BOOST_FIXTURE_TEST_CASE(a_connection_without_a_whole_request_in_time_is_closed, ServerFixture) {
    start({"--first-line-timeout=1"});
    LineClient client = connect("half-a-line");
    client.sendRaw("US");
    const std::vector<std::string> received = client.expectClosed({601}, 10s);
    BOOST_TEST(received.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_connection_that_does_not_log_in_in_time_is_closed, ServerFixture) {
    start({"--first-line-timeout=1", "--login-timeout=2"});
    LineClient client = connect("never-logs-in");
    BOOST_TEST(client.request("PING").code == 200);
    BOOST_TEST(client.request("USER lurker").code == 332);
    BOOST_TEST(client.expectClosed({601}, 10s).size() == 1u);
    // Logging in in time lifts the deadline.
    LineClient member = loggedIn("member");
    BOOST_TEST(member.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(a_client_that_stops_reading_a_download_blocks_neither_others_nor_shutdown,
                        ServerFixture) {
    start({"--drain-timeout=1"});
    LineClient uploader = loggedIn("uploader");
    // Far more than the socket buffers hold, so the server's writes must block.
    uploadBigBlob(uploader, std::string(64 << 20, 'x'));

    LineClient stalled = loggedIn("stalled");
    stalled.sendLine("DWN big blob.bin");  // and never reads the answer

    LineClient other = loggedIn("other");
    BOOST_TEST(other.request("RDT big").code == 210);
    BOOST_TEST(other.readBody().size() == 1u);
    BOOST_TEST(other.request("MSG big still served").code == 201);

    const Response accepted = other.request("SHT " + std::string(kAdminPassword));
    BOOST_TEST_REQUIRE(accepted.code == 250, accepted);
    const ExitStatus status = server().expectExit(15s);
    BOOST_TEST(status.isCleanZero(), status.describe());
}

// The server sends a download straight from the file (sendfile); a client gone half way
// through ends its own session only (EPIPE, not a SIGPIPE that would kill the server).
BOOST_FIXTURE_TEST_CASE(a_client_that_closes_during_a_download_ends_only_its_session,
                        StartedServer) {
    LineClient uploader = loggedIn("uploader");
    const std::string bytes(16 << 20, 'y');
    uploadBigBlob(uploader, bytes);
    for (int i = 0; i < 3; ++i) {
        LineClient quitter = loggedIn("quitter" + std::to_string(i));
        BOOST_TEST_REQUIRE(quitter.request("DWN big blob.bin").code == 211);
        BOOST_TEST(quitter.readBytes(1000) == bytes.substr(0, 1000));
        quitter.close();
    }
    const Response header = uploader.request("DWN big blob.bin");
    BOOST_TEST_REQUIRE(header.code == 211, header);
    BOOST_TEST(uploader.readBytes(bytes.size()) == bytes);
    BOOST_TEST(uploader.request("PING").code == 200);
}

// sendfile is bounded by the socket's send timeout as send is: a download nobody reads ends
// its session after the I/O timeout instead of holding a thread for ever.
BOOST_FIXTURE_TEST_CASE(a_download_nobody_reads_ends_after_the_io_timeout, ServerFixture) {
    start({"--io-timeout=1"});
    LineClient uploader = loggedIn("uploader");
    uploadBigBlob(uploader, std::string(64 << 20, 'z'));  // more than the socket buffers hold

    LineClient stalled = loggedIn("stalled");
    stalled.sendLine("DWN big blob.bin");  // and never reads the answer
    BOOST_TEST(server().waitForLog("user=stalled reason=io-timeout", 10s), server().log());
    BOOST_TEST(uploader.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(an_upload_that_stalls_is_abandoned_and_leaves_nothing, ServerFixture) {
    start({"--io-timeout=1"});
    LineClient staller = loggedIn("staller");
    staller.expect("CRT uploads", 201);
    staller.expect("UPD uploads part.bin 100", 340);
    staller.sendRaw(std::string(10, 'p'));  // 10 of the 100 bytes, then nothing
    staller.expectClosed({}, 10s);

    LineClient checker = loggedIn("checker");
    BOOST_TEST(checker.request("DWN uploads part.bin").code == 404);
    BOOST_TEST(checker.request("RDT uploads").code == 210);
    BOOST_TEST(checker.readBody().empty());
    BOOST_TEST(isEmptyDir(dataDir() / "tmp"));
    BOOST_TEST(isEmptyDir(dataDir() / "files"));
    checker.expect("UPD uploads part.bin 3", 340);
    checker.sendRaw("abc");
    BOOST_TEST(checker.readStatus().code == 201);
}

BOOST_FIXTURE_TEST_CASE(password_guessing_on_one_account_is_answered_429_from_any_connection,
                        ServerFixture) {
    start({"--login-failures-per-account=3", "--login-failures-per-address=1000"});
    { loggedIn("leia").expect("XIT", 221); }
    for (int i = 0; i < 3; ++i) {
        LineClient guesser = connect("guesser-" + std::to_string(i));
        guesser.expect("USER leia", 331);
        guesser.expect("PASS guess " + std::to_string(i), 401);
    }
    LineClient owner = connect("owner");
    owner.expect("USER LEIA", 331);
    const Response locked = owner.request("PASS " + std::string(kPassword));
    BOOST_TEST(locked.code == 429, locked);
    owner.expectClosed();
    // Only that account is locked.
    LineClient luke = loggedIn("luke");
    BOOST_TEST(luke.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(password_guessing_from_one_address_is_answered_429_for_every_account,
                        ServerFixture) {
    start({"--login-failures-per-address=3", "--login-failures-per-account=1000"});
    { loggedIn("han").expect("XIT", 221); }
    for (const char* name : {"a1", "a2", "a3"}) {
        { loggedIn(name).expect("XIT", 221); }
        LineClient guesser = connect(name);
        guesser.expect(std::string("USER ") + name, 331);
        guesser.expect("PASS wrong", 401);
    }
    LineClient next = connect("next");
    next.expect("USER han", 331);
    BOOST_TEST(next.request("PASS " + std::string(kPassword)).code == 429);
    LineClient admin = connect("admin");
    BOOST_TEST(admin.request("SHT " + std::string(kAdminPassword)).code == 429);
}

BOOST_FIXTURE_TEST_CASE(a_full_disk_during_an_upload_answers_507_and_leaves_nothing,
                        ServerFixture) {
    SmallFilesystem disk(dataDir(), "3m");
    start();
    LineClient client = loggedIn("filler");
    client.expect("CRT disk", 201);
    const std::string bytes(6 << 20, 'f');
    client.expect("UPD disk huge.bin " + std::to_string(bytes.size()), 340);
    client.sendRaw(bytes);
    const Response full = client.readStatus();
    BOOST_TEST(full.code == 507, full);
    BOOST_TEST(isEmptyDir(dataDir() / "tmp"));
    BOOST_TEST(isEmptyDir(dataDir() / "files"));
    // The session and the forum go on; the space came back with the temp file.
    BOOST_TEST(client.request("DWN disk huge.bin").code == 404);
    BOOST_TEST(client.request("MSG disk the disk was full").code == 201);
    client.expect("UPD disk small.txt 5", 340);
    client.sendRaw("small");
    BOOST_TEST(client.readStatus().code == 201);
    stop();
}

BOOST_AUTO_TEST_SUITE_END()
