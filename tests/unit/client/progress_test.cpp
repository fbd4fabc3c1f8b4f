// The progress bar's line (client/progress.h): bytes, rate and time left, within the width.

#include <chrono>
#include <string>

#include <boost/test/unit_test.hpp>

#include "client/progress.h"

namespace dfp::client {
namespace {

using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(progress)

BOOST_AUTO_TEST_CASE(shows_bytes_rate_and_time_left) {
    const std::string line = formatProgress("notes.bin", 10ull << 20, 40ull << 20, 2s, 100);
    BOOST_TEST(line.starts_with("notes.bin ["), line);
    BOOST_TEST(line.find(" 25%") != std::string::npos, line);
    BOOST_TEST(line.find("10.0 MiB/40.0 MiB") != std::string::npos, line);
    BOOST_TEST(line.find("5.0 MiB/s") != std::string::npos, line);
    BOOST_TEST(line.find("0:06 left") != std::string::npos, line);
    BOOST_TEST(line.size() <= 100u);
}

BOOST_AUTO_TEST_CASE(fills_the_bar_in_proportion) {
    const std::string half = formatProgress("", 50, 100, 1s, 200);
    const std::size_t open = half.find('[');
    const std::size_t close = half.find(']');
    const std::string bar = half.substr(open + 1, close - open - 1);
    BOOST_TEST(bar.size() == 40u);
    BOOST_TEST(bar.find('>') == 19u, bar);
    BOOST_TEST(bar.substr(0, 19) == std::string(19, '='));
    BOOST_TEST(bar.substr(20) == std::string(20, ' '));

    const std::string done = formatProgress("x", 100, 100, 4s, 200);
    BOOST_TEST(done.find("[" + std::string(40, '=') + "]") != std::string::npos, done);
    BOOST_TEST(done.find("100%") != std::string::npos);
    BOOST_TEST(done.find("left") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(fits_narrow_terminals_by_shortening_the_label) {
    const std::string label(60, 'n');
    for (std::size_t width : {40u, 60u, 80u}) {
        const std::string line = formatProgress(label, 1, 3, 1s, width);
        BOOST_TEST(line.size() <= width, width << ": " << line);
        BOOST_TEST(line.find('[') != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(copes_with_an_empty_file_and_no_time) {
    const std::string line = formatProgress("empty", 0, 0, 0s, 80);
    BOOST_TEST(line.find("100%") != std::string::npos, line);
}

BOOST_AUTO_TEST_CASE(formats_durations) {
    BOOST_TEST(formatDuration(7s) == "0:07");
    BOOST_TEST(formatDuration(754s) == "12:34");
    BOOST_TEST(formatDuration(3723s) == "1:02:03");
    BOOST_TEST(formatDuration(-5s) == "0:00");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dfp::client
