// RDT served from the server's cache of recent replies (ReplyCache) is never stale: after
// any change — by the reader, by another session, by dfp-admin — the next RDT shows it.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "support/admin_runner.h"
#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

Lines readThread(LineClient& client, const std::string& title) {
    client.expect("RDT " + title, 210);
    return client.readBody();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(read_cache)

BOOST_FIXTURE_TEST_CASE(every_kind_of_change_shows_in_the_next_rdt, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    yoda.expect("MSG jedi one", 201);
    // Read twice: the second answer comes from the cache if there is one.
    BOOST_TEST(readThread(luke, "jedi") == (Lines{"1 yoda: one"}));
    BOOST_TEST(readThread(luke, "jedi") == (Lines{"1 yoda: one"}));

    yoda.expect("MSG jedi two", 201);
    BOOST_TEST(readThread(luke, "jedi") == (Lines{"1 yoda: one", "2 yoda: two"}));
    yoda.expect("EDT jedi 1 one, edited", 200);
    BOOST_TEST(readThread(luke, "jedi") == (Lines{"1 yoda: one, edited", "2 yoda: two"}));
    yoda.expect("DLT jedi 2", 200);
    BOOST_TEST(readThread(luke, "jedi") == (Lines{"1 yoda: one, edited"}));
    luke.expect("UPD jedi notes.txt 5", 340);
    luke.sendRaw("hello");
    BOOST_TEST(luke.readStatus().code == 201);
    BOOST_TEST(readThread(yoda, "jedi") ==
               (Lines{"1 yoda: one, edited", "luke uploaded notes.txt"}));
    luke.expect("RMF jedi notes.txt", 200);
    BOOST_TEST(readThread(yoda, "jedi") == (Lines{"1 yoda: one, edited"}));
    yoda.expect("RMV jedi", 200);
    BOOST_TEST(luke.request("RDT jedi").code == 404);
    // The same title again is a new thread, not the old one's kept reply.
    luke.expect("CRT jedi", 201);
    BOOST_TEST(readThread(yoda, "jedi").empty());
}

BOOST_FIXTURE_TEST_CASE(threads_created_or_removed_show_in_the_next_lst, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    auto list = [](LineClient& client) {
        client.expect("LST", 215);
        return client.readBody();
    };
    BOOST_TEST(list(luke).empty());
    yoda.expect("CRT jedi", 201);
    BOOST_TEST(list(luke) == (Lines{"jedi"}));
    BOOST_TEST(list(luke) == (Lines{"jedi"}));
    yoda.expect("MSG jedi a message is no change of the list", 201);
    luke.expect("CRT sith", 201);
    BOOST_TEST(list(yoda) == (Lines{"jedi", "sith"}));
    luke.expect("RMV sith", 200);
    BOOST_TEST(list(yoda) == (Lines{"jedi"}));
    const ClientRun removed = runAdminBinary({dataDirOption(dataDir()), "remove-thread", "jedi"});
    BOOST_TEST(removed.status == 0, describeRun(removed));
    BOOST_TEST(list(yoda).empty());
}

// Once a kept reply is confirmed, the next RDTs are served without reading the thread's
// version, for as long as nothing is committed. dfp-admin commits from its own process,
// with no word to the server: the next RDT shows its change all the same.
BOOST_FIXTURE_TEST_CASE(a_change_by_dfp_admin_shows_after_reads_served_from_the_cache,
                        StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    yoda.expect("MSG jedi one", 201);
    yoda.expect("MSG jedi two", 201);
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(readThread(luke, "jedi") == (Lines{"1 yoda: one", "2 yoda: two"}));
    }
    const ClientRun removed =
        runAdminBinary({dataDirOption(dataDir()), "remove-message", "jedi", "2"});
    BOOST_TEST(removed.status == 0, describeRun(removed));
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(readThread(luke, "jedi") == (Lines{"1 yoda: one"}));
    }
    const ClientRun gone = runAdminBinary({dataDirOption(dataDir()), "remove-thread", "jedi"});
    BOOST_TEST(gone.status == 0, describeRun(gone));
    BOOST_TEST(luke.request("RDT jedi").code == 404);
}

// CRT and MSG keep the kept RDT reply up to date instead of dropping it; what they keep
// must be the thread exactly as stored: each message once, in order, with its author's name
// as stored (not as typed at login), and dot-stuffed lines intact.
BOOST_FIXTURE_TEST_CASE(replies_kept_up_to_date_by_msg_are_the_thread_exactly, StartedServer) {
    {
        LineClient first = connect("first");
        first.login("Obi.Wan", kPassword);  // registers under this spelling
        // Ended on the server's side too before the name logs in again (one session per user).
        first.expect("XIT", 221);
        first.expectClosed();
    }
    LineClient obi = connect("obi");
    obi.login("obi.wan", kPassword);  // the same account, typed otherwise
    obi.expect("CRT council", 201);
    BOOST_TEST(readThread(obi, "council").empty());
    obi.expect("MSG council hello there", 201);
    obi.expect("MSG council .dotted", 201);
    BOOST_TEST(readThread(obi, "council") ==
               (Lines{"1 Obi.Wan: hello there", "2 Obi.Wan: .dotted"}));
    obi.expect("EDT council 1 general kenobi", 200);  // changes it: not extended, read again
    obi.expect("MSG council third", 201);
    BOOST_TEST(readThread(obi, "council") ==
               (Lines{"1 Obi.Wan: general kenobi", "2 Obi.Wan: .dotted", "3 Obi.Wan: third"}));
}

// Writers post and read at once: every view each reads is exact, and holds its own message.
BOOST_FIXTURE_TEST_CASE(concurrent_posts_keep_every_view_exact, StartedServer) {
    constexpr int kWriters = 4;
    constexpr int kPosts = 40;
    {
        LineClient creator = loggedIn("creator");
        creator.expect("CRT busy", 201);
    }
    std::vector<std::vector<std::pair<long, std::string>>> posted(kWriters);
    std::vector<std::string> errors(kWriters);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            try {
                LineClient client = loggedIn("writer" + std::to_string(w));
                for (int i = 0; i < kPosts; ++i) {
                    const std::string text = "w" + std::to_string(w) + " post " + std::to_string(i);
                    const long number = std::stol(client.expect("MSG busy " + text, 201).field(1));
                    posted[w].emplace_back(number, std::to_string(number) + " writer" +
                                                       std::to_string(w) + ": " + text);
                    // Every view: numbers strictly rising (no line twice, none out of place).
                    const Lines view = readThread(client, "busy");
                    long last = 0;
                    for (const std::string& line : view) {
                        const long n = std::stol(line.substr(0, line.find(' ')));
                        if (n <= last) {
                            errors[w] =
                                "view has " + std::to_string(n) + " after " + std::to_string(last);
                            return;
                        }
                        last = n;
                    }
                    // And it holds this writer's own message, read right after its 201.
                    const std::string& mine = posted[w].back().second;
                    if (last < number || std::find(view.begin(), view.end(), mine) == view.end()) {
                        errors[w] = "RDT after MSG lacks '" + mine + "'";
                        return;
                    }
                }
            } catch (const std::exception& e) {
                errors[w] = e.what();
            }
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    for (const auto& error : errors) {
        BOOST_TEST(error.empty(), error);
    }
    // The last view is every message posted, each once, by number, as its 201 gave it.
    std::vector<std::pair<long, std::string>> all;
    for (const auto& mine : posted) {
        all.insert(all.end(), mine.begin(), mine.end());
    }
    std::sort(all.begin(), all.end());
    Lines expected;
    for (const auto& [number, line] : all) {
        expected.push_back(line);
    }
    LineClient reader = loggedIn("reader");
    BOOST_TEST(readThread(reader, "busy") == expected);
}

BOOST_AUTO_TEST_SUITE_END()
