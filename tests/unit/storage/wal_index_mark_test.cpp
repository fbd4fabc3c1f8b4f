// WalIndexMark: a mark only from a whole, initialized header of the layout it knows; anything
// else is "cannot tell", so that the caller reads the database instead of trusting it.

#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "storage/wal_index_mark.h"
#include "support/temp_dir.h"

using dfp::storage::WalIndexMark;

namespace {

using Header = std::array<unsigned char, 48>;

// A header as the unix VFS lays it out: the version first, isInit at byte 12; the other
// bytes (counters, checksums) are whatever seed makes them.
Header header(std::uint32_t version, unsigned char isInit, unsigned char seed) {
    Header bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<unsigned char>(seed + i);
    }
    std::memcpy(bytes.data(), &version, sizeof version);
    bytes[12] = isInit;
    return bytes;
}

class ShmFile {
public:
    std::filesystem::path database() const { return dir_.path() / "forum.db"; }

    // Writes the -shm file: the two copies, then padding as SQLite's would have.
    void write(const Header& first, const Header& second, std::size_t size = 32768) const {
        std::string bytes(size, '\0');
        std::memcpy(bytes.data(), first.data(), std::min(first.size(), size));
        if (size > first.size()) {
            std::memcpy(bytes.data() + first.size(), second.data(),
                        std::min(second.size(), size - first.size()));
        }
        std::ofstream out(database().string() + "-shm", std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }

private:
    dfp::test::TempDir dir_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(wal_index_mark)

BOOST_AUTO_TEST_CASE(no_shm_file_gives_no_reader) {
    ShmFile shm;
    BOOST_TEST(!WalIndexMark::open(shm.database()).has_value());
}

BOOST_AUTO_TEST_CASE(a_whole_header_is_its_mark_and_a_new_one_another) {
    ShmFile shm;
    const Header one = header(3007000, 1, 1);
    shm.write(one, one);
    const auto reader = WalIndexMark::open(shm.database());
    BOOST_TEST_REQUIRE(reader.has_value());
    const auto first = reader->read();
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST(std::memcmp(first->bytes.data(), one.data(), one.size()) == 0);

    const Header two = header(3007000, 1, 2);
    shm.write(two, two);
    const auto second = reader->read();
    BOOST_TEST_REQUIRE(second.has_value());
    BOOST_TEST((*second != *first));
}

BOOST_AUTO_TEST_CASE(anything_but_a_whole_known_header_cannot_tell) {
    ShmFile shm;
    shm.write(header(3007000, 1, 1), header(3007000, 1, 1));
    const auto reader = WalIndexMark::open(shm.database());
    BOOST_TEST_REQUIRE(reader.has_value());
    BOOST_TEST_REQUIRE(reader->read().has_value());

    shm.write(header(3007000, 1, 1), header(3007000, 1, 2));  // being written: copies differ
    BOOST_TEST(!reader->read().has_value());
    shm.write(header(3007001, 1, 1), header(3007001, 1, 1));  // another layout
    BOOST_TEST(!reader->read().has_value());
    shm.write(header(3007000, 0, 1), header(3007000, 0, 1));  // not initialized
    BOOST_TEST(!reader->read().has_value());
    shm.write(header(3007000, 1, 1), header(3007000, 1, 1), 60);  // cut short
    BOOST_TEST(!reader->read().has_value());
}

BOOST_AUTO_TEST_SUITE_END()
