// GatheredWrite: after the kernel takes any number of bytes, what is left is exactly the rest
// of the pieces, in order, from the first byte not taken.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "server/gathered_write.h"

using dfp::server::GatheredWrite;

namespace {

std::string left(const GatheredWrite& write) {
    std::string out;
    for (std::size_t i = 0; i < write.count(); ++i) {
        const iovec& part = write.first()[i];
        BOOST_TEST(part.iov_len > 0u);  // an empty part would be sent as nothing, for ever
        out.append(static_cast<const char*>(part.iov_base), part.iov_len);
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gathered_write)

BOOST_AUTO_TEST_CASE(leaves_the_rest_of_the_pieces_after_any_partial_send) {
    const std::vector<std::string> pieces = {"210 3 entries\n", "", "1 yoda: hi\n2 luke: yo\n",
                                             "3 leia: hey\n",   "", ".\n"};
    std::string whole;
    for (const std::string& piece : pieces) {
        whole += piece;
    }
    for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{14},
                             std::size_t{15}, whole.size() - 1, whole.size()}) {
        BOOST_TEST_CONTEXT("taking " << step << " bytes at a time") {
            GatheredWrite write;
            for (const std::string& piece : pieces) {
                write.add(piece);
            }
            BOOST_TEST(write.count() == 4u);  // the empty pieces are not parts
            std::size_t taken = 0;
            while (!write.done()) {
                BOOST_TEST_REQUIRE(left(write) == whole.substr(taken));
                const std::size_t sent = std::min(step, whole.size() - taken);
                write.consume(sent);
                taken += sent;
            }
            BOOST_TEST(taken == whole.size());
            BOOST_TEST(write.count() == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(nothing_to_send_is_done_at_once) {
    GatheredWrite write;
    BOOST_TEST(write.done());
    write.add("");
    BOOST_TEST(write.done());
}

BOOST_AUTO_TEST_SUITE_END()
