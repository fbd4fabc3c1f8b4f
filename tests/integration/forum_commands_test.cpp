// CRT, LST, RDT, RMV, MSG, DLT and EDT: success templates and fields, refusals, validation of
// titles, numbers and message text, dot-stuffing (protocol.md §2, §4, §6).

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "support/server_fixture.h"

using namespace dfp::test;

namespace {

Lines readThread(LineClient& client, const std::string& title) {
    const Response response = client.request("RDT " + title);
    BOOST_TEST_REQUIRE(response.code == 210, "RDT " << title << " -> " << response);
    Lines body = client.readBody();
    BOOST_TEST(response.field(1) == std::to_string(body.size()), response);  // `210 <count>`
    return body;
}

Lines listThreads(LineClient& client) {
    const Response response = client.request("LST");
    BOOST_TEST_REQUIRE(response.code == 215, response);
    Lines body = client.readBody();
    BOOST_TEST(response.field(1) == std::to_string(body.size()), response);  // `215 <count>`
    return body;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(threads)

BOOST_FIXTURE_TEST_CASE(lists_no_threads_on_an_empty_forum, StartedServer) {
    LineClient client = loggedIn("yoda");
    const Response response = client.request("LST");
    BOOST_TEST(response.code == 215);
    BOOST_TEST(response.field(1) == "0", response);
    BOOST_TEST(client.readBody().empty());
}

BOOST_FIXTURE_TEST_CASE(creates_threads_and_lists_them_oldest_first, StartedServer) {
    LineClient client = loggedIn("yoda");
    for (const char* title : {"sith", "jedi", "caf\xc3\xa9", "Jedi"}) {
        const Response created = client.request("CRT " + std::string(title));
        BOOST_TEST(created.code == 201, created);
        BOOST_TEST(created.field(1) == title, created);  // `201 <title> thread created`
    }
    const Lines expected{"sith", "jedi", "caf\xc3\xa9", "Jedi"};
    BOOST_TEST(listThreads(client) == expected);
    LineClient other = loggedIn("luke");
    BOOST_TEST(listThreads(other) == expected);
}

BOOST_FIXTURE_TEST_CASE(refuses_an_existing_title_with_409, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    BOOST_TEST(client.request("CRT jedi").code == 409);
    LineClient other = loggedIn("luke");
    BOOST_TEST(other.request("CRT jedi").code == 409);
    BOOST_TEST(other.request("CRT JEDI").code == 201);  // titles are case-sensitive
    BOOST_TEST(listThreads(client) == (Lines{"jedi", "JEDI"}));
}

BOOST_FIXTURE_TEST_CASE(refuses_malformed_titles_with_400_and_creates_nothing, StartedServer) {
    LineClient client = loggedIn("yoda");
    const std::vector<std::string> malformed{
        std::string(65, 't'),  // over 64 bytes
        "tab\there",           // whitespace: TAB is not an argument separator
        "del\x7f",             // DEL is a control character
        "c1\xc2\x80",          // U+0080, a C1 control
        "nel\xc2\x85",         // U+0085 NEXT LINE, White_Space and C1
        "nbsp\xc2\xa0x",       // U+00A0 NO-BREAK SPACE, White_Space
        "ideo\xe3\x80\x80x",   // U+3000 IDEOGRAPHIC SPACE, White_Space
        "bell\x07",            // C0 control
        "bad\xff",             // invalid UTF-8
        "over\xc0\xaflong",    // overlong encoding of '/'
        "surrogate\xed\xa0\x80",
        "cut\xe2\x82",  // truncated sequence
    };
    for (const std::string& title : malformed) {
        const Response response = client.request("CRT " + title);
        BOOST_TEST(response.code == 400, "CRT " << title.size() << "-byte title -> " << response);
    }
    BOOST_TEST(client.request("CRT").code == 400);
    BOOST_TEST(client.request("CRT two words").code == 400);
    BOOST_TEST(listThreads(client).empty());
    // The longest title is fine, and so is a non-space symbol outside ASCII.
    BOOST_TEST(client.request("CRT " + std::string(64, 't')).code == 201);
    BOOST_TEST(client.request("CRT \xe2\x98\x83snow").code == 201);  // U+2603, not a space
}

BOOST_FIXTURE_TEST_CASE(refuses_malformed_titles_in_every_command_with_400, StartedServer) {
    LineClient client = loggedIn("yoda");
    for (const char* line :
         {"MSG bad\xff hello", "DLT bad\x7f 1", "EDT tab\tx 1 text", "RDT bad\xff",
          "UPD bad\xff f.txt 1", "DWN bad\xff f.txt", "RMF bad\xff f.txt", "RMV bad\xff"}) {
        const Response response = client.request(line);
        BOOST_TEST(response.code == 400, response);
    }
    BOOST_TEST(client.request("PING").code == 200);  // UPD got no 340: nothing to send
}

BOOST_FIXTURE_TEST_CASE(dot_stuffs_list_lines_that_begin_with_a_dot, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT .", 201);
    client.expect("CRT .hidden", 201);
    client.expect("CRT ..", 201);
    // Read raw: each title beginning with "." must arrive with one more "." in front.
    client.expect("LST", 215);
    BOOST_TEST(client.readLine() == "..");
    BOOST_TEST(client.readLine() == "..hidden");
    BOOST_TEST(client.readLine() == "...");
    BOOST_TEST(client.readLine() == ".");
    BOOST_TEST(listThreads(client) == (Lines{".", ".hidden", ".."}));
    BOOST_TEST(readThread(client, ".").empty());
}

BOOST_FIXTURE_TEST_CASE(answers_lst_with_arguments_with_400, StartedServer) {
    LineClient client = loggedIn("yoda");
    BOOST_TEST(client.request("LST jedi").code == 400);
    BOOST_TEST(client.request("PING").code == 200);
}

BOOST_FIXTURE_TEST_CASE(reads_a_thread_as_numbered_messages_in_posting_order, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    yoda.expect("MSG jedi do or do not", 201);
    luke.expect("MSG jedi there is no try?", 201);
    yoda.expect("MSG jedi there is no try", 201);
    const Lines expected{"1 yoda: do or do not", "2 luke: there is no try?",
                         "3 yoda: there is no try"};
    BOOST_TEST(readThread(luke, "jedi") == expected);
    const Response response = yoda.request("RDT jedi");
    BOOST_TEST(response.code == 210);
    BOOST_TEST(response.field(1) == "3", response);  // `210 <count> entries`
    yoda.readBody();
}

BOOST_FIXTURE_TEST_CASE(answers_rdt_of_a_missing_thread_with_404, StartedServer) {
    LineClient client = loggedIn("yoda");
    BOOST_TEST(client.request("RDT nothing").code == 404);
    client.expect("CRT jedi", 201);
    BOOST_TEST(client.request("RDT JEDI").code == 404);
    BOOST_TEST(client.request("RDT").code == 400);
    BOOST_TEST(client.request("RDT jedi extra").code == 400);
}

BOOST_FIXTURE_TEST_CASE(removes_a_thread_with_its_messages_and_files, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("CRT sith", 201);
    client.expect("MSG jedi hello", 201);
    client.expect("UPD jedi notes.txt 5", 340);
    client.sendRaw("hello");
    BOOST_TEST(client.readStatus().code == 201);
    const Response removed = client.request("RMV jedi");
    BOOST_TEST(removed.code == 200, removed);
    BOOST_TEST(removed.field(2) == "jedi", removed);  // `200 thread <title> removed`
    BOOST_TEST(listThreads(client) == Lines{"sith"});
    BOOST_TEST(client.request("RDT jedi").code == 404);
    BOOST_TEST(client.request("DWN jedi notes.txt").code == 404);
    BOOST_TEST(client.request("MSG jedi again").code == 404);
    BOOST_TEST(client.request("RMV jedi").code == 404);
}

BOOST_FIXTURE_TEST_CASE(refuses_rmv_by_anyone_but_the_creator_with_403, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    luke.expect("MSG jedi mine too", 201);
    BOOST_TEST(luke.request("RMV jedi").code == 403);
    BOOST_TEST(readThread(luke, "jedi") == Lines{"1 luke: mine too"});
    BOOST_TEST(yoda.request("RMV jedi").code == 200);
}

BOOST_FIXTURE_TEST_CASE(answers_rmv_of_a_missing_thread_with_404_and_bad_arity_with_400,
                        StartedServer) {
    LineClient client = loggedIn("yoda");
    BOOST_TEST(client.request("RMV nothing").code == 404);
    BOOST_TEST(client.request("RMV").code == 400);
    BOOST_TEST(client.request("RMV a b").code == 400);
}

BOOST_FIXTURE_TEST_CASE(starts_numbering_at_one_in_a_thread_created_again, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("MSG jedi one", 201);
    client.expect("MSG jedi two", 201);
    client.expect("RMV jedi", 200);
    client.expect("CRT jedi", 201);
    const Response posted = client.request("MSG jedi fresh");
    BOOST_TEST(posted.code == 201);
    BOOST_TEST(posted.field(1) == "1", posted);
    BOOST_TEST(readThread(client, "jedi") == Lines{"1 yoda: fresh"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(messages)

BOOST_FIXTURE_TEST_CASE(numbers_messages_from_one_per_thread, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("CRT sith", 201);
    for (int n = 1; n <= 3; ++n) {
        const Response posted = client.request("MSG jedi message " + std::to_string(n));
        BOOST_TEST(posted.code == 201);
        BOOST_TEST(posted.field(1) == std::to_string(n), posted);  // `201 <n> message posted`
    }
    BOOST_TEST(client.request("MSG sith other thread").field(1) == "1");
}

BOOST_FIXTURE_TEST_CASE(answers_msg_to_a_missing_thread_with_404, StartedServer) {
    LineClient client = loggedIn("yoda");
    BOOST_TEST(client.request("MSG nothing hello").code == 404);
}

BOOST_FIXTURE_TEST_CASE(keeps_message_text_exactly_with_inner_and_trailing_spaces, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("MSG jedi    do  or   do not   ", 201);
    client.expect("MSG jedi tab\tinside and \xe2\x80\x94 unicode", 201);
    client.expect("MSG jedi x", 201);
    const Lines expected{"1 yoda: do  or   do not   ",
                         "2 yoda: tab\tinside and \xe2\x80\x94 unicode", "3 yoda: x"};
    BOOST_TEST(readThread(client, "jedi") == expected);
}

BOOST_FIXTURE_TEST_CASE(answers_msg_without_text_with_400, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    BOOST_TEST(client.request("MSG jedi").code == 400);
    BOOST_TEST(client.request("MSG jedi    ").code == 400);  // text is 1..4000 bytes
    BOOST_TEST(client.request("MSG").code == 400);
    BOOST_TEST(readThread(client, "jedi").empty());
}

BOOST_FIXTURE_TEST_CASE(accepts_4000_bytes_of_text_and_answers_4001_with_413, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    const std::string longest(4000, 'm');
    BOOST_TEST(client.request("MSG jedi " + longest).code == 201);
    BOOST_TEST(client.request("MSG jedi " + longest + "m").code == 413);
    // Bytes, not characters: 2000 two-byte characters are 4000 bytes.
    std::string accents;
    for (int i = 0; i < 2000; ++i) {
        accents += "\xc3\xa9";
    }
    BOOST_TEST(client.request("MSG jedi " + accents).code == 201);
    BOOST_TEST(client.request("MSG jedi " + accents + "\xc3\xa9").code == 413);
    BOOST_TEST(client.request("EDT jedi 1 " + longest + "m").code == 413);
    BOOST_TEST(client.request("EDT jedi 1 " + accents).code == 200);
    const Lines expected{"1 yoda: " + accents, "2 yoda: " + accents};
    BOOST_TEST(readThread(client, "jedi") == expected);
}

BOOST_FIXTURE_TEST_CASE(refuses_invalid_utf8_text_with_400_and_stores_nothing, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    for (const char* text :
         {"bad \xff byte", "overlong \xc0\xaf", "surrogate \xed\xa0\x80", "truncated \xe2\x82",
          "lone continuation \x80", "too big \xf4\x90\x80\x80"}) {
        const Response response = client.request("MSG jedi " + std::string(text));
        BOOST_TEST(response.code == 400, response);
    }
    BOOST_TEST(readThread(client, "jedi").empty());
    client.expect("MSG jedi good", 201);
    BOOST_TEST(client.request("EDT jedi 1 bad \xff").code == 400);
    BOOST_TEST(readThread(client, "jedi") == Lines{"1 yoda: good"});
}

BOOST_FIXTURE_TEST_CASE(refuses_control_characters_other_than_tab_with_400, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    for (const char* text : {"bell \x07", "escape \x1b[0m", "del \x7f", "c1 \xc2\x9b"}) {
        BOOST_TEST(client.request("MSG jedi " + std::string(text)).code == 400, text);
    }
    BOOST_TEST(client.request("MSG jedi nul " + std::string(1, '\0') + " inside").code == 400);
    BOOST_TEST(client.request("MSG jedi a\ttab is fine").code == 201);
    BOOST_TEST(readThread(client, "jedi") == Lines{"1 yoda: a\ttab is fine"});
}

BOOST_FIXTURE_TEST_CASE(sends_a_dot_stuffed_thread_body, StartedServer) {
    // A username may begin with ".", so "<author> uploaded <file>" can begin with one.
    LineClient dot = loggedIn(".dot");
    dot.expect("CRT jedi", 201);
    dot.expect("MSG jedi . starts with dot", 201);
    dot.expect("MSG jedi .", 201);
    dot.expect("UPD jedi notes.txt 2", 340);
    dot.sendRaw("hi");
    BOOST_TEST(dot.readStatus().code == 201);
    dot.expect("RDT jedi", 210);
    BOOST_TEST(dot.readLine() == "1 .dot: . starts with dot");
    BOOST_TEST(dot.readLine() == "2 .dot: .");
    BOOST_TEST(dot.readLine() == "..dot uploaded notes.txt");
    BOOST_TEST(dot.readLine() == ".");
    const Lines expected{"1 .dot: . starts with dot", "2 .dot: .", ".dot uploaded notes.txt"};
    BOOST_TEST(readThread(dot, "jedi") == expected);
}

BOOST_FIXTURE_TEST_CASE(deletes_a_message_and_keeps_the_other_numbers, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("MSG jedi one", 201);
    client.expect("MSG jedi two", 201);
    client.expect("MSG jedi three", 201);
    const Response deleted = client.request("DLT jedi 2");
    BOOST_TEST(deleted.code == 200, deleted);
    BOOST_TEST(deleted.field(2) == "2", deleted);  // `200 message <n> deleted`
    BOOST_TEST(readThread(client, "jedi") == (Lines{"1 yoda: one", "3 yoda: three"}));
    BOOST_TEST(client.request("MSG jedi four").field(1) == "4");
    BOOST_TEST(client.request("DLT jedi 2").code == 404);
    BOOST_TEST(client.request("EDT jedi 2 back").code == 404);
    const Response edited = client.request("EDT jedi 3 THREE");
    BOOST_TEST(edited.code == 200, edited);
    BOOST_TEST(edited.field(2) == "3", edited);  // `200 message <n> edited`
    const Lines expected{"1 yoda: one", "3 yoda: THREE", "4 yoda: four"};
    BOOST_TEST(readThread(client, "jedi") == expected);
}

BOOST_FIXTURE_TEST_CASE(never_reuses_the_number_of_a_deleted_last_message, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("MSG jedi one", 201);
    client.expect("MSG jedi two", 201);
    client.expect("DLT jedi 2", 200);
    BOOST_TEST(client.request("MSG jedi three").field(1) == "3");
    client.expect("DLT jedi 1", 200);
    client.expect("DLT jedi 3", 200);
    BOOST_TEST(readThread(client, "jedi").empty());
    BOOST_TEST(client.request("MSG jedi four").field(1) == "4");
}

BOOST_FIXTURE_TEST_CASE(edits_text_exactly_and_keeps_the_number, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("MSG jedi one", 201);
    client.expect("MSG jedi two", 201);
    BOOST_TEST(client.request("EDT jedi 1   new  text  ").code == 200);
    BOOST_TEST(readThread(client, "jedi") == (Lines{"1 yoda: new  text  ", "2 yoda: two"}));
    BOOST_TEST(client.request("EDT jedi 1").code == 400);
    BOOST_TEST(client.request("EDT jedi").code == 400);
    BOOST_TEST(client.request("EDT nothing 1 text").code == 404);
    BOOST_TEST(client.request("EDT jedi 9 text").code == 404);
}

BOOST_FIXTURE_TEST_CASE(refuses_dlt_and_edt_of_another_users_message_with_403, StartedServer) {
    LineClient yoda = loggedIn("yoda");
    LineClient luke = loggedIn("luke");
    yoda.expect("CRT jedi", 201);
    yoda.expect("MSG jedi mine", 201);
    luke.expect("MSG jedi his", 201);
    BOOST_TEST(luke.request("DLT jedi 1").code == 403);
    BOOST_TEST(luke.request("EDT jedi 1 defaced").code == 403);
    // Being the thread's creator gives no right over another's message.
    BOOST_TEST(yoda.request("DLT jedi 2").code == 403);
    BOOST_TEST(yoda.request("EDT jedi 2 defaced").code == 403);
    BOOST_TEST(readThread(yoda, "jedi") == (Lines{"1 yoda: mine", "2 luke: his"}));
}

BOOST_FIXTURE_TEST_CASE(answers_number_zero_with_404_and_malformed_numbers_with_400,
                        StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("MSG jedi one", 201);
    BOOST_TEST(client.request("DLT jedi 0").code == 404);
    BOOST_TEST(client.request("EDT jedi 0 text").code == 404);
    BOOST_TEST(client.request("DLT jedi 999999999999999999").code == 404);  // 18 digits
    BOOST_TEST(client.request("DLT jedi 000000000000000001").code == 200);  // 18 digits, n = 1
    for (const char* number : {"0000000000000000000", "1000000000000000000", "-1", "+1", "1a", "x",
                               "1.0", "\xd9\xa1"}) {  // the last is ARABIC-INDIC DIGIT ONE
        const Response deleted = client.request("DLT jedi " + std::string(number));
        BOOST_TEST(deleted.code == 400, "DLT jedi " << number << " -> " << deleted);
        const Response edited = client.request("EDT jedi " + std::string(number) + " text");
        BOOST_TEST(edited.code == 400, "EDT jedi " << number << " -> " << edited);
    }
}

BOOST_FIXTURE_TEST_CASE(answers_dlt_with_wrong_arity_or_missing_thread, StartedServer) {
    LineClient client = loggedIn("yoda");
    client.expect("CRT jedi", 201);
    client.expect("MSG jedi one", 201);
    BOOST_TEST(client.request("DLT jedi").code == 400);
    BOOST_TEST(client.request("DLT jedi 1 extra").code == 400);
    BOOST_TEST(client.request("DLT nothing 1").code == 404);
    BOOST_TEST(client.request("DLT jedi 2").code == 404);
    BOOST_TEST(readThread(client, "jedi") == Lines{"1 yoda: one"});
}

BOOST_AUTO_TEST_SUITE_END()
