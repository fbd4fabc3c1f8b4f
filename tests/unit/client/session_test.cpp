// ClientSession over a fake transport: the response reader as the client uses it, with 6xx
// notices between responses, line and binary bodies split across reads at every byte, and
// the server going away at awkward moments; UPD and DWN on the wire and on disk.

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "client/command.h"
#include "client/session.h"
#include "client/sha256.h"
#include "fake_transport.h"
#include "support/temp_dir.h"

namespace dfp::client {
namespace {

using test::FakeTransport;
namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

std::vector<std::string> entriesOf(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    return names;
}

std::string everyByte() {
    std::string bytes;
    for (int value = 0; value < 256; ++value) {
        bytes += static_cast<char>(value);
    }
    return bytes;
}

SessionSettings settingsFor(const fs::path& outDir, std::function<bool()> interrupted = {}) {
    SessionSettings settings;
    settings.timeout = std::chrono::milliseconds(1000);
    settings.outDir = outDir.string();
    settings.interrupted = std::move(interrupted);
    return settings;
}

struct SessionFixture {
    dfp::test::TempDir temp;
    FakeTransport transport;
    ClientSession session{transport, settingsFor(temp.path())};
    std::vector<std::string> notices;

    SessionFixture() {
        session.onNotice([this](const std::string& words) { notices.push_back(words); });
    }

    CommandResult run(const std::string& line) { return session.run(translateCommand(line)); }
};

BOOST_FIXTURE_TEST_SUITE(client_session, SessionFixture)

BOOST_AUTO_TEST_CASE(reads_the_greeting_and_logs_in) {
    transport.arrive("200 DFP/1 forum ready\n");
    BOOST_TEST(session.greet().code == 200);
    transport.arrive("332 new account, choose a password\n");
    BOOST_TEST(session.sendUser("yoda").code == 332);
    transport.arrive("231 yoda account created, logged in\n");
    const Reply reply = session.sendPass("wise  old one ");
    BOOST_TEST(reply.code == 231);
    BOOST_TEST(reply.field(0) == "yoda");
    BOOST_TEST(transport.sent() == "USER yoda\nPASS wise  old one \n");
}

BOOST_AUTO_TEST_CASE(ends_when_the_greeting_says_busy) {
    transport.arrive("503 server busy\n");
    BOOST_CHECK_THROW(session.greet(), SessionEnded);
}

BOOST_AUTO_TEST_CASE(ends_when_the_greeting_is_not_dfp1) {
    transport.arrive("200 SMTP ready\n");
    BOOST_CHECK_THROW(session.greet(), SessionEnded);
}

BOOST_AUTO_TEST_CASE(suggests_tls_when_a_plain_connection_hears_no_greeting) {
    // Nothing queued: the fake transport times out, as a plain client at a TLS server does.
    try {
        session.greet();
        BOOST_FAIL("greet() returned without a greeting");
    } catch (const SessionEnded& ended) {
        BOOST_TEST(std::string(ended.what()).find("no greeting") != std::string::npos,
                   ended.what());
        BOOST_TEST(std::string(ended.what()).find("add --tls") != std::string::npos, ended.what());
    }
}

BOOST_AUTO_TEST_CASE(does_not_suggest_tls_once_the_server_has_spoken) {
    transport.arrive("200 DFP");  // half a greeting, then silence
    try {
        session.greet();
        BOOST_FAIL("greet() returned without a whole greeting");
    } catch (const SessionEnded& ended) {
        BOOST_TEST(std::string(ended.what()).find("--tls") == std::string::npos, ended.what());
    }
}

BOOST_AUTO_TEST_CASE(words_a_created_thread_and_a_posted_message) {
    transport.arrive("201 jedi thread created\n");
    const CommandResult created = run("CRT jedi");
    BOOST_TEST(created.ok());
    BOOST_TEST(created.lines == (std::vector<std::string>{"Thread jedi created"}));
    transport.arrive("201 3 message posted\n");
    BOOST_TEST(run("MSG jedi hi").lines == (std::vector<std::string>{"Message #3 posted"}));
    BOOST_TEST(transport.sent() == "CRT jedi\nMSG jedi hi\n");
}

BOOST_AUTO_TEST_CASE(passes_notices_between_responses_to_the_listener) {
    transport.arrive("201 jedi thread created\n699 maintenance at noon\n201 1 message posted\n");
    BOOST_TEST(run("CRT jedi").ok());
    BOOST_TEST(notices.empty());
    const CommandResult posted = run("MSG jedi hello");
    BOOST_TEST(posted.ok());
    BOOST_TEST(posted.lines.front() == "Message #1 posted");
    BOOST_TEST_REQUIRE(notices.size() == 1u);
    BOOST_TEST(notices.front().find("maintenance at noon") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ends_with_600_when_it_comes_instead_of_a_response) {
    transport.arrive("600 server shutting down\n");
    transport.close();
    try {
        run("LST");
        BOOST_FAIL("no SessionEnded");
    } catch (const SessionEnded& ended) {
        BOOST_TEST(ended.noticeCode() == 600);
        BOOST_TEST(std::string(ended.what()).find("shutting down") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(ends_with_601_seen_while_idle) {
    transport.arrive("601 idle timeout, closing\n");
    try {
        session.checkIdle();
        BOOST_FAIL("no SessionEnded");
    } catch (const SessionEnded& ended) {
        BOOST_TEST(ended.noticeCode() == 601);
    }
}

BOOST_AUTO_TEST_CASE(stays_when_idle_with_nothing_to_read_or_a_harmless_notice) {
    session.checkIdle();
    transport.arrive("650 hello\n");
    session.checkIdle();
    BOOST_TEST(notices.size() == 1u);
}

BOOST_AUTO_TEST_CASE(ends_when_the_server_closes_while_idle) {
    transport.close();
    BOOST_CHECK_THROW(session.checkIdle(), SessionEnded);
}

BOOST_AUTO_TEST_CASE(ends_when_something_unasked_for_arrives_while_idle) {
    transport.arrive("200 surprise\n");
    BOOST_CHECK_THROW(session.checkIdle(), SessionEnded);
}

BOOST_AUTO_TEST_CASE(reads_a_line_body_split_at_every_byte) {
    transport.arriveBytewise("215 3 threads\r\njedi\n..dots\nsith\n.\n602 note\n200 pong\n");
    const CommandResult listed = run("LST");
    BOOST_TEST(listed.ok());
    BOOST_TEST(listed.lines ==
               (std::vector<std::string>{"3 threads:", "  jedi", "  .dots", "  sith"}));
    BOOST_TEST(session.knownTitles() == (std::vector<std::string>{".dots", "jedi", "sith"}));
    BOOST_TEST(run("PING").ok());
    BOOST_TEST(notices.size() == 1u);
}

BOOST_AUTO_TEST_CASE(reads_a_thread_and_remembers_its_files) {
    transport.arrive("210 3 entries\n1 yoda: do or do not\nyoda uploaded notes.txt\n");
    transport.arrive("2 obiwan: yoda uploaded fake.txt\n.\n");
    const CommandResult read = run("RDT jedi");
    BOOST_TEST(read.ok());
    BOOST_TEST(read.lines.front() == "Thread jedi, 3 entries:");
    BOOST_TEST(read.lines.at(2) == "  yoda uploaded notes.txt");
    BOOST_TEST(session.knownFiles("jedi") == (std::vector<std::string>{"notes.txt"}));
    BOOST_TEST(session.knownTitles() == (std::vector<std::string>{"jedi"}));
}

BOOST_AUTO_TEST_CASE(words_refusals_by_code) {
    transport.arrive("409 jedi thread exists\n");
    const CommandResult exists = run("CRT jedi");
    BOOST_TEST(!exists.ok());
    BOOST_TEST(exists.refusal == "Thread jedi already exists");
    transport.arrive("404 no such thread\n");
    BOOST_TEST(run("RDT sith").refusal == "No thread sith");
    transport.arrive("403 not the author\n");
    BOOST_TEST(run("DLT jedi 2").refusal.find("only its author may delete it") !=
               std::string::npos);
    transport.arrive("413 message too long\n");
    BOOST_TEST(run("MSG jedi x").refusal.find("at most 4000 bytes") != std::string::npos);
    transport.arrive("400 usage: CRT <title>\n");
    BOOST_TEST(run("CRT jedi").refusal == "CRT refused: usage: CRT <title>");
}

BOOST_AUTO_TEST_CASE(ends_on_a_500) {
    transport.arrive("500 internal error, closing\n");
    BOOST_CHECK_THROW(run("LST"), SessionEnded);
}

BOOST_AUTO_TEST_CASE(ends_when_the_server_closes_in_the_middle_of_a_body) {
    transport.arrive("215 2 threads\njedi\n");
    transport.close();
    BOOST_CHECK_THROW(run("LST"), SessionEnded);
}

BOOST_AUTO_TEST_CASE(ends_when_the_server_stays_silent) {
    BOOST_CHECK_THROW(run("LST"), SessionEnded);
}

BOOST_AUTO_TEST_CASE(ends_on_a_line_that_is_not_dfp1) {
    transport.arrive("HTTP/1.1 400 Bad Request\n");
    BOOST_CHECK_THROW(run("LST"), SessionEnded);
}

BOOST_AUTO_TEST_CASE(passes_on_an_interrupt) {
    transport.interrupt();
    BOOST_CHECK_THROW(run("LST"), Interrupted);
}

BOOST_AUTO_TEST_CASE(xit_and_sht_end_the_session_cleanly) {
    transport.arrive("221 goodbye\n");
    const CommandResult left = run("XIT");
    BOOST_TEST(left.ok());
    BOOST_TEST(left.sessionOver);
}

BOOST_AUTO_TEST_CASE(uploads_size_and_sha256_first_then_the_bytes) {
    const std::string bytes = everyByte() + everyByte();
    writeFile(temp.path() / "all.bin", bytes);
    transport.arrive("340 512 send the bytes\n");
    transport.arrive("201 all.bin 512 uploaded\n");
    const CommandResult result = run("UPD jedi " + (temp.path() / "all.bin").string());
    BOOST_TEST(result.ok(), result.refusal);
    BOOST_TEST(result.lines.front() == "File all.bin uploaded to jedi (512 B)");
    BOOST_TEST(transport.sent() == "UPD jedi all.bin 512 " + sha256Hex(bytes) + "\n" + bytes);
    BOOST_TEST(session.knownFiles("jedi") == (std::vector<std::string>{"all.bin"}));
}

BOOST_AUTO_TEST_CASE(sends_no_bytes_when_the_upload_is_refused) {
    writeFile(temp.path() / "a.txt", "hello");
    transport.arrive("409 a.txt file exists in thread\n");
    const CommandResult result = run("UPD jedi " + (temp.path() / "a.txt").string());
    BOOST_TEST(!result.ok());
    BOOST_TEST(result.refusal == "Thread jedi already has a file named a.txt");
    BOOST_TEST(transport.sent() == "UPD jedi a.txt 5 " + sha256Hex("hello") + "\n");
}

BOOST_AUTO_TEST_CASE(refuses_to_upload_a_missing_file_without_asking) {
    const CommandResult result = run("UPD jedi " + (temp.path() / "nope.txt").string());
    BOOST_TEST(!result.ok());
    BOOST_TEST(result.refusal.find("No such file") != std::string::npos, result.refusal);
    BOOST_TEST(transport.sent().empty());
}

BOOST_AUTO_TEST_CASE(stops_an_upload_at_a_600) {
    writeFile(temp.path() / "big.bin", std::string(300'000, 'x'));
    transport.arrive("340 300000 send the bytes\n");
    transport.arrive("600 server shutting down\n");
    transport.reportPending(true);
    try {
        run("UPD jedi " + (temp.path() / "big.bin").string());
        BOOST_FAIL("no SessionEnded");
    } catch (const SessionEnded& ended) {
        BOOST_TEST(ended.noticeCode() == 600);
    }
    // It stopped after the first chunk rather than sending all of it.
    BOOST_TEST(transport.sent().size() < 300'000u);
}

BOOST_AUTO_TEST_CASE(reports_a_checksum_mismatch_after_the_bytes) {
    writeFile(temp.path() / "a.txt", "hello");
    transport.arrive("340 5 send the bytes\n");
    transport.arrive("400 checksum mismatch\n");
    const CommandResult result = run("UPD jedi " + (temp.path() / "a.txt").string());
    BOOST_TEST(!result.ok());
    BOOST_TEST(result.refusal.find("checksum mismatch") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(downloads_a_binary_body_split_at_every_byte) {
    const std::string bytes = everyByte();
    transport.arriveBytewise("211 256 " + sha256Hex(bytes) + " all.bin\n" + bytes +
                             "601 idle timeout, closing\n");
    const CommandResult result = run("DWN jedi all.bin");
    BOOST_TEST(result.ok(), result.refusal);
    BOOST_TEST(readFile(temp.path() / "all.bin") == bytes);
    BOOST_TEST(entriesOf(temp.path()) == (std::vector<std::string>{"all.bin"}));
    BOOST_TEST(transport.sent() == "DWN jedi all.bin\n");
    BOOST_CHECK_THROW(session.checkIdle(), SessionEnded);
}

BOOST_AUTO_TEST_CASE(downloads_an_empty_file) {
    transport.arrive("211 0 " + sha256Hex("") + " empty.txt\n200 pong\n");
    BOOST_TEST(run("DWN jedi empty.txt").ok());
    BOOST_TEST(fs::file_size(temp.path() / "empty.txt") == 0u);
    BOOST_TEST(run("PING").ok());
}

BOOST_AUTO_TEST_CASE(refuses_to_overwrite_without_force_and_asks_nothing) {
    writeFile(temp.path() / "a.txt", "mine");
    const CommandResult result = run("DWN jedi a.txt");
    BOOST_TEST(!result.ok());
    BOOST_TEST(result.refusal.find("already exists") != std::string::npos);
    BOOST_TEST(transport.sent().empty());
    BOOST_TEST(readFile(temp.path() / "a.txt") == "mine");
}

BOOST_AUTO_TEST_CASE(overwrites_with_force) {
    writeFile(temp.path() / "a.txt", "mine");
    transport.arrive("211 5 " + sha256Hex("hello") + " a.txt\n" + "hello");
    BOOST_TEST(run("DWN jedi a.txt --force").ok());
    BOOST_TEST(readFile(temp.path() / "a.txt") == "hello");
    BOOST_TEST(entriesOf(temp.path()).size() == 1u);
}

BOOST_AUTO_TEST_CASE(keeps_a_file_that_appeared_during_the_download) {
    // The check before DWN passed; the file shows up while the bytes are on their way.
    transport.arrive("211 5 " + sha256Hex("hello") + " a.txt\n");
    transport.arrive("hel");
    transport.arrive("lo");
    transport.onReceive(2, [this] { writeFile(temp.path() / "a.txt", "mine"); });
    const CommandResult result = run("DWN jedi a.txt");
    BOOST_TEST(!result.ok());
    BOOST_TEST(readFile(temp.path() / "a.txt") == "mine");
    BOOST_TEST(entriesOf(temp.path()).size() == 1u);
}

BOOST_AUTO_TEST_CASE(removes_the_partial_file_when_the_checksum_is_wrong) {
    transport.arrive("211 5 " + sha256Hex("HELLO") + " a.txt\nhello200 pong\n");
    const CommandResult result = run("DWN jedi a.txt");
    BOOST_TEST(!result.ok());
    BOOST_TEST(result.refusal.find("checksum mismatch") != std::string::npos, result.refusal);
    BOOST_TEST(entriesOf(temp.path()).empty());
    BOOST_TEST(run("PING").ok());  // still in step with the server
}

BOOST_AUTO_TEST_CASE(removes_the_partial_file_when_the_server_vanishes) {
    transport.arrive("211 10 " + sha256Hex("0123456789") + " a.txt\n0123");
    transport.close();
    BOOST_CHECK_THROW(run("DWN jedi a.txt"), SessionEnded);
    BOOST_TEST(entriesOf(temp.path()).empty());
}

BOOST_AUTO_TEST_CASE(removes_the_partial_file_when_interrupted) {
    transport.arrive("211 10 " + sha256Hex("0123456789") + " a.txt\n0123");
    transport.interrupt();
    BOOST_CHECK_THROW(run("DWN jedi a.txt"), Interrupted);
    BOOST_TEST(entriesOf(temp.path()).empty());
}

BOOST_AUTO_TEST_CASE(abandons_a_transfer_whose_reads_never_wait_when_interrupted) {
    // Every chunk is there at once, so no wait would ever see the interrupt descriptor.
    bool pressed = false;
    ClientSession impatient(transport, settingsFor(temp.path(), [&pressed] { return pressed; }));
    transport.arrive("211 10 " + sha256Hex("0123456789") + " a.txt\n");
    transport.arrive("0123");
    transport.arrive("456789");
    transport.onReceive(2, [&pressed] { pressed = true; });
    BOOST_CHECK_THROW(impatient.run(translateCommand("DWN jedi a.txt")), Interrupted);
    BOOST_TEST(entriesOf(temp.path()).empty());
}

BOOST_AUTO_TEST_CASE(abandons_an_upload_whose_writes_never_wait_when_interrupted) {
    // Asked once per chunk: five to hash 300000 bytes, then two chunks sent, then Ctrl-C.
    int asked = 0;
    ClientSession impatient(transport, settingsFor(temp.path(), [&asked] { return ++asked > 7; }));
    writeFile(temp.path() / "big.bin", std::string(300'000, 'x'));
    transport.arrive("340 300000 send the bytes\n");
    BOOST_CHECK_THROW(
        impatient.run(translateCommand("UPD jedi " + (temp.path() / "big.bin").string())),
        Interrupted);
    BOOST_TEST(transport.sent().size() > 100'000u);
    BOOST_TEST(transport.sent().size() < 300'000u);
}

BOOST_AUTO_TEST_CASE(never_writes_outside_the_output_directory_whatever_name_comes_back) {
    const fs::path inner = temp.path() / "out";
    fs::create_directory(inner);
    ClientSession guarded(transport, settingsFor(inner));
    for (const std::string name : {"../escape.txt", "..", ".", "/tmp/abs.txt", ".hidden"}) {
        transport.arrive("211 5 " + sha256Hex("hello") + " " + name + "\nhello200 pong\n");
        const CommandResult result = guarded.run(translateCommand("DWN jedi a.txt"));
        BOOST_TEST(!result.ok(), name);
        BOOST_TEST(result.refusal.find("unsafe file name") != std::string::npos, result.refusal);
        BOOST_TEST(guarded.run(translateCommand("PING")).ok(), name);
    }
    BOOST_TEST(entriesOf(inner).empty());
    BOOST_TEST(entriesOf(temp.path()) == (std::vector<std::string>{"out"}));
}

BOOST_AUTO_TEST_CASE(words_a_missing_download) {
    transport.arrive("404 no such file\n");
    const CommandResult result = run("DWN jedi a.txt");
    BOOST_TEST(result.refusal.find("No file a.txt in thread jedi") != std::string::npos);
    BOOST_TEST(entriesOf(temp.path()).empty());
}

BOOST_AUTO_TEST_CASE(says_why_when_the_server_vanishes_during_a_send) {
    transport.arrive("600 server shutting down\n");
    transport.refuseSends();
    try {
        run("LST");
        BOOST_FAIL("no SessionEnded");
    } catch (const SessionEnded& ended) {
        BOOST_TEST(ended.noticeCode() == 600);
    }
}

BOOST_AUTO_TEST_CASE(leaves_with_xit) {
    transport.arrive("221 goodbye\n");
    session.leave();
    BOOST_TEST(transport.sent() == "XIT\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dfp::client
