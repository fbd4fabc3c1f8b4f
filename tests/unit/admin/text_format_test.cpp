#include <stdlib.h>
#include <time.h>

#include <optional>
#include <sstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "admin/text_format.h"

using dfp::admin::displayWidth;
using dfp::admin::formatBytes;
using dfp::admin::formatLocalTime;
using dfp::admin::forTerminal;
using dfp::admin::TextTable;

namespace {

// Sets TZ for one test and puts the old value back.
class TimeZone {
public:
    explicit TimeZone(const char* zone) {
        if (const char* old = ::getenv("TZ")) {
            old_ = old;
        }
        ::setenv("TZ", zone, 1);
        ::tzset();
    }
    ~TimeZone() {
        if (old_) {
            ::setenv("TZ", old_->c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }
    TimeZone(const TimeZone&) = delete;
    TimeZone& operator=(const TimeZone&) = delete;

private:
    std::optional<std::string> old_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_text_format)

BOOST_AUTO_TEST_CASE(shows_times_in_the_local_time_zone) {
    {
        TimeZone utc("UTC0");
        BOOST_TEST(formatLocalTime(0) == "1970-01-01 00:00:00");
        BOOST_TEST(formatLocalTime(1700000000) == "2023-11-14 22:13:20");
    }
    TimeZone plusTwo("XYZ-2");  // POSIX: two hours east of UTC
    BOOST_TEST(formatLocalTime(0) == "1970-01-01 02:00:00");
}

BOOST_AUTO_TEST_CASE(shows_byte_counts_in_binary_units) {
    BOOST_TEST(formatBytes(0) == "0 B");
    BOOST_TEST(formatBytes(1023) == "1023 B");
    BOOST_TEST(formatBytes(1024) == "1.0 KiB");
    BOOST_TEST(formatBytes(1536) == "1.5 KiB");
    BOOST_TEST(formatBytes(1ULL << 30) == "1.0 GiB");
}

BOOST_AUTO_TEST_CASE(turns_control_characters_into_spaces_and_keeps_the_rest) {
    BOOST_TEST(forTerminal("tab\there") == "tab here");
    BOOST_TEST(forTerminal("\x1b[31mred") == " [31mred");
    BOOST_TEST(forTerminal("del\x7f") == "del ");
    BOOST_TEST(forTerminal("c1\xc2\x9bx") == "c1 x");
    BOOST_TEST(forTerminal("ünïcödé ©") == "ünïcödé ©");
}

BOOST_AUTO_TEST_CASE(aligns_columns_by_characters_not_bytes) {
    BOOST_TEST(displayWidth("ünï") == 3u);
    TextTable table({{"NAME"}, {"N", TextTable::Align::Right}, {"TEXT"}});
    table.addRow({"ünï", "5", "first"});
    table.addRow({"longer name", "12345", "x"});
    std::ostringstream out;
    table.print(out);
    BOOST_TEST(out.str() ==
               "NAME             N  TEXT\n"
               "ünï              5  first\n"
               "longer name  12345  x\n");
    BOOST_CHECK_THROW(table.addRow({"too few"}), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
