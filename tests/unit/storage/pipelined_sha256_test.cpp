// PipelinedSha256: the same digest whether hashed in place or on its thread, for any way the
// bytes are cut into updates; checked against libsodium's SHA-256 of the whole input.

#include <cstddef>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "storage/pipelined_sha256.h"
#include "support/storage_fixture.h"

using dfp::storage::PipelinedSha256;
using dfp::test::sha256Hex;

namespace {

// Bytes that differ at every offset, so that a chunk hashed twice, dropped or out of order
// changes the digest.
std::string varied(std::size_t size) {
    std::string bytes(size, '\0');
    std::uint32_t state = 2463534242u;
    for (char& c : bytes) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        c = static_cast<char>(state);
    }
    return bytes;
}

std::string hashInPieces(bool pipelined, const std::string& bytes,
                         const std::vector<std::size_t>& pieces) {
    PipelinedSha256 sha(pipelined);
    std::size_t at = 0;
    for (std::size_t i = 0; at < bytes.size(); ++i) {
        const std::size_t n = std::min(pieces[i % pieces.size()], bytes.size() - at);
        sha.update(std::string_view(bytes).substr(at, n));
        at += n;
    }
    return sha.finishHex();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pipelined_sha256)

BOOST_AUTO_TEST_CASE(gives_the_digest_of_the_whole_input_however_it_is_cut) {
    const std::string bytes = varied(3'000'017);
    const std::string expected = sha256Hex(bytes);
    struct Cut {
        bool pipelined;
        std::vector<std::size_t> pieces;  // update sizes, repeated until the input ends
    };
    // One-byte updates only in place: three million chunks through the queue take too long.
    const std::vector<Cut> cuts = {
        {false, {262'144}}, {false, {1}},           {false, {7, 65'536, 3}}, {false, {3'000'017}},
        {true, {262'144}},  {true, {7, 65'536, 3}}, {true, {3'000'017}},
    };
    for (const Cut& cut : cuts) {
        BOOST_TEST_CONTEXT("pipelined " << cut.pipelined << ", first piece " << cut.pieces[0]) {
            BOOST_TEST(hashInPieces(cut.pipelined, bytes, cut.pieces) == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(hashes_many_small_updates_in_order_on_its_thread) {
    const std::string bytes = varied(20'000);
    BOOST_TEST(hashInPieces(true, bytes, {1, 2, 3}) == sha256Hex(bytes));
}

BOOST_AUTO_TEST_CASE(gives_the_digest_of_nothing) {
    for (bool pipelined : {false, true}) {
        PipelinedSha256 sha(pipelined);
        BOOST_TEST(sha.finishHex() == sha256Hex(""));
    }
}

BOOST_AUTO_TEST_SUITE_END()
