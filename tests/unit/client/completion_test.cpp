// Tab completion's choices (client/completion.h).

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "client/completion.h"

namespace dfp::client {
namespace {

using Strings = std::vector<std::string>;

CompletionSource source() {
    return {[] {
                return Strings{"jedi", "jedi-council", "sith", "ÉTÉ"};
            },
            [](const std::string& title) {
                return title == "jedi" ? Strings{"notes.txt", "map.png"} : Strings{};
            }};
}

Strings words(std::string_view before, std::string_view word) {
    const Completion completion = complete(before, word, source());
    BOOST_TEST(static_cast<int>(completion.kind) == static_cast<int>(Completion::Kind::Words));
    return completion.candidates;
}

BOOST_AUTO_TEST_SUITE(completion)

BOOST_AUTO_TEST_CASE(completes_verbs_from_the_command_table) {
    BOOST_TEST(words("", "R") == (Strings{"RDT", "RMF", "RMV"}));
    BOOST_TEST(words("", "rm") == (Strings{"rmf", "rmv"}));
    BOOST_TEST(words("", "Dw") == (Strings{"DWN"}));
    BOOST_TEST(words("", "x").front() == "xit");
    BOOST_TEST(words("  ", "LS") == (Strings{"LST"}));
    const Strings all = words("", "");
    BOOST_TEST(all.size() == 15u);  // every verb but USER and PASS
    BOOST_TEST(words("", "US").empty());
}

BOOST_AUTO_TEST_CASE(completes_titles_after_verbs_that_take_one) {
    BOOST_TEST(words("RDT ", "je") == (Strings{"jedi", "jedi-council"}));
    BOOST_TEST(words("msg  ", "s") == (Strings{"sith"}));
    BOOST_TEST(words("UPD ", "É") == (Strings{"ÉTÉ"}));
    BOOST_TEST(words("RDT ", "J").empty());   // titles are case-sensitive
    BOOST_TEST(words("CRT ", "je").empty());  // a new thread's title is not known yet
    BOOST_TEST(words("LST ", "").empty());
    BOOST_TEST(words("BOGUS ", "j").empty());
}

BOOST_AUTO_TEST_CASE(completes_local_files_after_upd_and_a_title) {
    BOOST_TEST(static_cast<int>(complete("UPD jedi ", "no", source()).kind) ==
               static_cast<int>(Completion::Kind::LocalFiles));
}

BOOST_AUTO_TEST_CASE(completes_thread_files_after_dwn_and_rmf) {
    BOOST_TEST(words("DWN jedi ", "") == (Strings{"map.png", "notes.txt"}));
    BOOST_TEST(words("rmf jedi ", "n") == (Strings{"notes.txt"}));
    BOOST_TEST(words("DWN sith ", "").empty());
    BOOST_TEST(words("DWN jedi notes.txt ", "--") == (Strings{"--force"}));
    BOOST_TEST(words("MSG jedi ", "").empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace dfp::client
