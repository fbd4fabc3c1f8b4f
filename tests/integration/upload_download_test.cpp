// UPD, DWN and RMF: binary-clean transfers of any size, checks before 340, checksum, uploads
// lost mid-way, files in the thread display (protocol.md §2, §4 "UPD", "DWN", §6).

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string upperCase(std::string text) {
    for (char& c : text) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return text;
}

// UPD through to the 201, checking both answers' fields.
void upload(LineClient& client, const std::string& title, const std::string& file,
            std::string_view bytes, std::string_view sha256 = {}) {
    std::string line = "UPD " + title + " " + file + " " + std::to_string(bytes.size());
    if (!sha256.empty()) {
        line += " " + std::string(sha256);
    }
    const Response ready = client.request(line);
    BOOST_TEST_REQUIRE(ready.code == 340, line << " -> " << ready);
    BOOST_TEST(ready.field(1) == std::to_string(bytes.size()), ready);  // `340 <size> ...`
    client.sendRaw(bytes);
    const Response done = client.readStatus();
    BOOST_TEST_REQUIRE(done.code == 201, line << " then bytes -> " << done);
    BOOST_TEST(done.field(1) == file, done);  // `201 <file> <size> uploaded`
    BOOST_TEST(done.field(2) == std::to_string(bytes.size()), done);
}

// DWN through the binary body; checks the fields against the bytes received.
std::string download(LineClient& client, const std::string& title, const std::string& file) {
    const Response header = client.request("DWN " + title + " " + file);
    BOOST_TEST_REQUIRE(header.code == 211, "DWN " << title << " " << file << " -> " << header);
    BOOST_TEST_REQUIRE(header.field(3) == file, header);  // `211 <size> <sha256> <file>`
    const std::string bytes = client.readBytes(std::stoull(header.field(1)));
    BOOST_TEST(header.field(2) == sha256Hex(bytes), header);
    return bytes;
}

// Logs in as user, retrying while the name is still held (409) by a session the server has
// not yet seen end, for up to 10 s. Returns PASS's last code.
int loginOnceFree(LineClient& client, const std::string& user) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    int answer = 409;
    while (answer == 409 && std::chrono::steady_clock::now() < deadline) {
        BOOST_TEST_REQUIRE(client.request("USER " + user).code == 331);
        answer = client.request("PASS " + std::string(kPassword)).code;
    }
    return answer;
}

Lines readThread(LineClient& client, const std::string& title) {
    const Response response = client.request("RDT " + title);
    BOOST_TEST_REQUIRE(response.code == 210, response);
    Lines body = client.readBody();
    BOOST_TEST(response.field(1) == std::to_string(body.size()), response);
    return body;
}

// Deterministic bytes of any length, generated a chunk at a time (xorshift64*), so that a large
// file never has to exist in memory.
class ByteStream {
public:
    explicit ByteStream(std::uint64_t seed) : state_(seed | 1) {}
    std::string next(std::size_t count) {
        std::string out(count, '\0');
        for (std::size_t i = 0; i < count; i += 8) {
            state_ ^= state_ >> 12;
            state_ ^= state_ << 25;
            state_ ^= state_ >> 27;
            std::uint64_t word = state_ * 0x2545F4914F6CDD1DULL;
            for (std::size_t j = i; j < count && j < i + 8; ++j) {
                out[j] = static_cast<char>(word & 0xff);
                word >>= 8;
            }
        }
        return out;
    }

private:
    std::uint64_t state_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(files)

BOOST_FIXTURE_TEST_CASE(round_trips_every_byte_value, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    // Every byte value, plus the sequences that would confuse a line reader.
    const std::string bytes = everyByteValue(4) + "\n.\n\r\n.\r\n..\n" + std::string(1, '\0');
    upload(client, "jedi", "all.bin", bytes, sha256Hex(bytes));
    upload(client, "jedi", "unchecked.bin", bytes);
    BOOST_TEST(download(client, "jedi", "all.bin") == bytes);
    const Response header = client.request("DWN jedi unchecked.bin");
    BOOST_TEST_REQUIRE(header.code == 211, header);
    BOOST_TEST(header.field(1) == std::to_string(bytes.size()), header);
    BOOST_TEST(header.field(2) == sha256Hex(bytes), header);  // lower-case hex
    BOOST_TEST(client.readBytes(bytes.size()) == bytes);
    // The stream is in step after the binary body.
    BOOST_TEST(client.request("PING").code == 200);
    LineClient other = loggedIn("luke");
    BOOST_TEST(download(other, "jedi", "all.bin") == bytes);
}

BOOST_FIXTURE_TEST_CASE(round_trips_an_empty_file, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    const Response ready = client.request("UPD jedi empty.txt 0");
    BOOST_TEST_REQUIRE(ready.code == 340, ready);
    BOOST_TEST(ready.field(1) == "0", ready);
    const Response done = client.readStatus();  // no bytes to send
    BOOST_TEST_REQUIRE(done.code == 201, done);
    BOOST_TEST(done.field(1) == "empty.txt");
    BOOST_TEST(done.field(2) == "0");
    const Response header = client.request("DWN jedi empty.txt");
    BOOST_TEST_REQUIRE(header.code == 211, header);
    BOOST_TEST(header.field(1) == "0");
    BOOST_TEST(header.field(2) == kEmptySha256);
    BOOST_TEST(header.field(3) == "empty.txt");
    BOOST_TEST(client.request("PING").code == 200);
    upload(client, "jedi", "empty-checked.txt", "", kEmptySha256);
}

BOOST_FIXTURE_TEST_CASE(streams_a_64_mib_file_both_ways, StartedServer) {
    constexpr std::uint64_t kSize = 64ull << 20;
    constexpr std::size_t kChunk = 1 << 20;
    LineClient client = loggedIn("yoda");
    client.setTimeout(60s);  // for progress, not for the whole transfer
    client.expect("CRT jedi", 201);

    Sha256 sent;
    ByteStream stream(0x5eed);
    const Response ready = client.request("UPD jedi big.bin " + std::to_string(kSize));
    BOOST_TEST_REQUIRE(ready.code == 340, ready);
    for (std::uint64_t done = 0; done < kSize; done += kChunk) {
        const std::string chunk = stream.next(kChunk);
        sent.update(chunk);
        client.sendRaw(chunk);
    }
    const Response stored = client.readStatus();
    BOOST_TEST_REQUIRE(stored.code == 201, stored);
    BOOST_TEST(stored.field(2) == std::to_string(kSize));
    const std::string sentHex = sent.hex();

    const Response header = client.request("DWN jedi big.bin");
    BOOST_TEST_REQUIRE(header.code == 211, header);
    BOOST_TEST_REQUIRE(header.field(1) == std::to_string(kSize), header);
    BOOST_TEST(header.field(2) == sentHex, header);
    Sha256 received;
    ByteStream expected(0x5eed);
    std::string want;
    std::size_t wantAt = 0;
    std::uint64_t position = 0;
    std::uint64_t firstDifference = kSize;
    client.readBytes(kSize, [&](std::string_view piece) {
        received.update(piece);
        while (!piece.empty()) {
            if (wantAt == want.size()) {
                want = expected.next(kChunk);
                wantAt = 0;
            }
            const std::size_t n = std::min(piece.size(), want.size() - wantAt);
            if (firstDifference == kSize &&
                piece.substr(0, n) != std::string_view(want).substr(wantAt, n)) {
                firstDifference = position;
            }
            piece.remove_prefix(n);
            wantAt += n;
            position += n;
        }
    });
    BOOST_TEST(received.hex() == sentHex);
    BOOST_TEST(firstDifference == kSize,
               "downloaded bytes differ in the piece at offset " << firstDifference);
    BOOST_TEST(client.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(accepts_a_correct_sha256_in_either_case, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    const std::string bytes = "the force is strong";
    upload(client, "jedi", "lower.txt", bytes, sha256Hex(bytes));
    upload(client, "jedi", "upper.txt", bytes, upperCase(sha256Hex(bytes)));
    BOOST_TEST(download(client, "jedi", "upper.txt") == bytes);
}

BOOST_FIXTURE_TEST_CASE(refuses_a_wrong_sha256_after_the_bytes_and_stores_nothing, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    const std::string bytes = "the force is strong";
    const Response ready = client.request("UPD jedi notes.txt " + std::to_string(bytes.size()) +
                                          " " + sha256Hex("something else"));
    BOOST_TEST_REQUIRE(ready.code == 340, ready);
    client.sendRaw(bytes);
    BOOST_TEST(client.readStatus().code == 400);
    BOOST_TEST(client.request("DWN jedi notes.txt").code == 404);
    BOOST_TEST(readThread(client, "jedi").empty());
    upload(client, "jedi", "notes.txt", bytes, sha256Hex(bytes));  // the name is still free
}

BOOST_FIXTURE_TEST_CASE(refuses_a_malformed_sha256_before_340, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    const std::string good = sha256Hex("x");
    for (const std::string& sha : {good.substr(1), good + "0", "g" + good.substr(1),
                                   good.substr(0, 32) + " " + good.substr(32)}) {
        const Response response = client.request("UPD jedi x.txt 1 " + sha);
        BOOST_TEST(response.code == 400, sha << " -> " << response);
    }
    BOOST_TEST(client.request("PING").code == 200);  // no 340, so nothing was expected
}

BOOST_FIXTURE_TEST_CASE(refuses_a_duplicate_file_name_with_409_before_340, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    yoda.expect("CRT sith", 201);
    upload(yoda, "jedi", "notes.txt", "first");
    BOOST_TEST(yoda.request("UPD jedi notes.txt 6").code == 409);
    BOOST_TEST(luke.request("UPD jedi notes.txt 6").code == 409);
    BOOST_TEST(luke.request("PING").code == 200);
    upload(luke, "sith", "notes.txt", "second");  // unique within its thread only
    upload(luke, "jedi", "Notes.txt", "third");   // names are case-sensitive, as titles
    BOOST_TEST(download(yoda, "jedi", "notes.txt") == "first");
    BOOST_TEST(download(yoda, "sith", "notes.txt") == "second");
}

BOOST_FIXTURE_TEST_CASE(refuses_a_file_over_the_size_limit_with_413_before_340, ServerFixture) {
    start({"--max-file-size=1000"});
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    BOOST_TEST(client.request("UPD jedi big.bin 1001").code == 413);
    BOOST_TEST(client.request("PING").code == 200);  // the client sent no bytes
    upload(client, "jedi", "big.bin", std::string(1000, 'b'));
}

BOOST_FIXTURE_TEST_CASE(answers_upd_with_a_missing_thread_or_malformed_size, StartedServer) {
    LineClient client = loggedIn("yoda");
    BOOST_TEST(client.request("UPD nothing f.txt 5").code == 404);
    client.expect("CRT jedi", 201);
    for (const char* line :
         {"UPD jedi f.txt", "UPD jedi", "UPD", "UPD jedi f.txt -1", "UPD jedi f.txt abc",
          "UPD jedi f.txt 1.5", "UPD jedi f.txt 0x10", "UPD jedi f.txt 5 not-a-sha extra"}) {
        const Response response = client.request(line);
        BOOST_TEST(response.code == 400, line << " -> " << response);
    }
    BOOST_TEST(client.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(refuses_malformed_file_names_with_400, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    for (const std::string& name :
         {std::string("a/b"), std::string("a\\b"), std::string("..x"), std::string(".hidden"),
          std::string("."), std::string(".."), std::string(129, 'f'), std::string("tab\tx"),
          std::string("bad\xff"), std::string("del\x7f"), std::string("nbsp\xc2\xa0x")}) {
        for (const std::string& line :
             {"UPD jedi " + name + " 1", "DWN jedi " + name, "RMF jedi " + name}) {
            const Response response = client.request(line);
            BOOST_TEST(response.code == 400, line << " -> " << response);
        }
    }
    BOOST_TEST(client.request("PING").code == 200);
    upload(client, "jedi", std::string(128, 'f'), "1");
    upload(client, "jedi", "dots.in.the..middle", "2");
    BOOST_TEST(client.request("DWN jedi").code == 400);
    BOOST_TEST(client.request("RMF jedi").code == 400);
}

BOOST_FIXTURE_TEST_CASE(leaves_nothing_behind_when_an_upload_is_cut_off, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    yoda.expect("CRT jedi", 201);
    {
        LineClient luke = loggedIn("luke");
        luke.expect("UPD jedi notes.txt 1000", 340);
        luke.sendRaw(std::string(500, 'l'));
        luke.close();
    }
    // Nothing of an upload is visible before its 201, whether or not the server has noticed
    // the close yet.
    BOOST_TEST(yoda.request("DWN jedi notes.txt").code == 404);
    BOOST_TEST(readThread(yoda, "jedi").empty());
    const std::string bytes(1000, 'y');
    upload(yoda, "jedi", "notes.txt", bytes);
    BOOST_TEST(download(yoda, "jedi", "notes.txt") == bytes);
    BOOST_TEST(readThread(yoda, "jedi") == Lines{"yoda uploaded notes.txt"});
    // And luke's session really ended: the name is free.
    LineClient again = connect("again");
    BOOST_TEST(loginOnceFree(again, "luke") == 230);
}

// A big upload (hashed on a thread of its own) cut off half way: nothing visible, the temp
// file gone once the session has ended, and the name free for the next upload.
BOOST_FIXTURE_TEST_CASE(leaves_nothing_behind_when_a_big_upload_is_cut_off, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    yoda.expect("CRT jedi", 201);
    {
        LineClient luke = loggedIn("luke");
        luke.expect("UPD jedi big.bin 8388608", 340);
        luke.sendRaw(std::string(5 << 20, 'l'));
        luke.close();
    }
    BOOST_TEST(yoda.request("DWN jedi big.bin").code == 404);
    // The session has ended once luke can log in again; its upload is gone by then.
    LineClient again = connect("again");
    BOOST_TEST_REQUIRE(loginOnceFree(again, "luke") == 230);
    BOOST_TEST(std::filesystem::is_empty(dataDir() / "tmp"));
    BOOST_TEST(std::filesystem::is_empty(dataDir() / "files"));
    std::string bytes(8 << 20, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<char>(i * 31 + i / 4096);
    }
    upload(again, "jedi", "big.bin", bytes, sha256Hex(bytes));
    BOOST_TEST(download(yoda, "jedi", "big.bin") == bytes);
}

// A blob cut short on disk (a failing disk, a hand edit) cannot be sent as promised once 211
// has announced its size: the server sends the bytes there are, then drops the connection
// rather than leave the client waiting for the rest, and goes on serving everyone else.
BOOST_FIXTURE_TEST_CASE(drops_the_connection_when_a_blob_is_shorter_than_its_record,
                        StartedServer) {
    LineClient yoda = loggedIn("yoda");
    yoda.expect("CRT jedi", 201);
    std::string bytes;
    for (int i = 0; bytes.size() < 300'000; ++i) {
        bytes += std::to_string(i) + ",";
    }
    upload(yoda, "jedi", "cut.bin", bytes);
    std::vector<std::filesystem::path> blobs;
    for (const auto& entry : std::filesystem::directory_iterator(dataDir() / "files")) {
        blobs.push_back(entry.path());
    }
    BOOST_TEST_REQUIRE(blobs.size() == 1u);
    const std::size_t kept = 100'000;
    std::filesystem::resize_file(blobs[0], kept);

    const Response header = yoda.request("DWN jedi cut.bin");
    BOOST_TEST_REQUIRE(header.code == 211, header);
    BOOST_TEST(header.field(1) == std::to_string(bytes.size()), header);
    BOOST_TEST(yoda.readBytes(kept) == bytes.substr(0, kept));
    BOOST_TEST(yoda.expectClosed().empty());

    LineClient luke = loggedIn("luke");
    BOOST_TEST(readThread(luke, "jedi") == Lines{"yoda uploaded cut.bin"});
}

BOOST_FIXTURE_TEST_CASE(shows_uploads_in_posting_order_in_rdt, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    yoda.expect("MSG jedi one", 201);
    upload(luke, "jedi", "first.txt", "1");
    luke.expect("MSG jedi two", 201);
    upload(yoda, "jedi", "second.txt", "22");
    const Lines expected{"1 yoda: one", "luke uploaded first.txt", "2 luke: two",
                         "yoda uploaded second.txt"};
    BOOST_TEST(readThread(yoda, "jedi") == expected);
}

BOOST_FIXTURE_TEST_CASE(removes_a_file_by_its_uploader, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    upload(luke, "jedi", "notes.txt", "old");
    yoda.expect("MSG jedi after", 201);
    const Response removed = luke.request("RMF jedi notes.txt");
    BOOST_TEST(removed.code == 200, removed);
    BOOST_TEST(removed.field(2) == "notes.txt", removed);  // `200 file <file> removed`
    BOOST_TEST(luke.request("DWN jedi notes.txt").code == 404);
    BOOST_TEST(luke.request("RMF jedi notes.txt").code == 404);
    BOOST_TEST(readThread(luke, "jedi") == Lines{"1 yoda: after"});
    upload(luke, "jedi", "notes.txt", "new");
    BOOST_TEST(download(yoda, "jedi", "notes.txt") == "new");
}

BOOST_FIXTURE_TEST_CASE(lets_the_thread_creator_remove_another_users_file, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    upload(luke, "jedi", "notes.txt", "luke's");
    BOOST_TEST(yoda.request("RMF jedi notes.txt").code == 200);
    BOOST_TEST(luke.request("DWN jedi notes.txt").code == 404);
}

BOOST_FIXTURE_TEST_CASE(refuses_rmf_by_neither_uploader_nor_creator_with_403, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    LineClient han = loggedIn("han");
    yoda.expect("CRT jedi", 201);
    upload(luke, "jedi", "notes.txt", "luke's");
    BOOST_TEST(han.request("RMF jedi notes.txt").code == 403);
    BOOST_TEST(download(han, "jedi", "notes.txt") == "luke's");
}

BOOST_FIXTURE_TEST_CASE(answers_dwn_and_rmf_of_missing_files_with_404, StartedServer) {
    LineClient client = loggedIn("yoda");
    BOOST_TEST(client.request("DWN nothing f.txt").code == 404);
    BOOST_TEST(client.request("RMF nothing f.txt").code == 404);
    client.expect("CRT jedi", 201);
    BOOST_TEST(client.request("DWN jedi f.txt").code == 404);
    BOOST_TEST(client.request("RMF jedi f.txt").code == 404);
    upload(client, "jedi", "f.txt", "x");
    BOOST_TEST(client.request("DWN jedi F.txt").code == 404);
    BOOST_TEST(client.request("DWN jedi f.txt extra").code == 400);
}

BOOST_FIXTURE_TEST_CASE(reads_a_request_pipelined_right_after_the_upload_bytes, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("UPD jedi f.txt 5", 340);
    client.sendRaw("helloPING\nDWN jedi f.txt\n");
    BOOST_TEST(client.readStatus().code == 201);
    BOOST_TEST(client.readStatus().code == 200);
    const Response header = client.readStatus();
    BOOST_TEST_REQUIRE(header.code == 211, header);
    BOOST_TEST(client.readBytes(5) == "hello");
    // The request line, the bytes and the next request in a single write.
    client.sendRaw("UPD jedi g.txt 3 " + sha256Hex("a\nb") + "\na\nbPING\n");
    BOOST_TEST(client.readStatus().code == 340);
    BOOST_TEST(client.readStatus().code == 201);
    BOOST_TEST(client.readStatus().code == 200);
    BOOST_TEST(download(client, "jedi", "g.txt") == "a\nb");
}

BOOST_FIXTURE_TEST_CASE(answers_404_after_the_bytes_when_the_thread_goes_in_flight, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    luke.expect("UPD jedi notes.txt 10", 340);
    yoda.expect("RMV jedi", 200);
    luke.sendRaw("0123456789");
    BOOST_TEST(luke.readStatus().code == 404);
    yoda.expect("CRT jedi", 201);
    BOOST_TEST(yoda.request("DWN jedi notes.txt").code == 404);
    BOOST_TEST(readThread(yoda, "jedi").empty());
}

BOOST_FIXTURE_TEST_CASE(answers_409_after_the_bytes_when_the_name_is_taken_in_flight,
                        StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    luke.expect("UPD jedi notes.txt 4", 340);
    upload(yoda, "jedi", "notes.txt", "yoda");
    luke.sendRaw("luke");
    BOOST_TEST(luke.readStatus().code == 409);
    BOOST_TEST(download(luke, "jedi", "notes.txt") == "yoda");
    BOOST_TEST(readThread(luke, "jedi") == Lines{"yoda uploaded notes.txt"});
}

BOOST_AUTO_TEST_SUITE_END()
