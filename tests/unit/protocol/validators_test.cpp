#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/validators.h"

namespace dfp::protocol {
namespace {

using namespace std::literals;

// Multibyte characters of each length, for limits that are counted in bytes.
const std::string kTwoBytes = "\xC3\xA9";           // U+00E9 é
const std::string kThreeBytes = "\xE2\x82\xAC";     // U+20AC €
const std::string kFourBytes = "\xF0\x9F\x98\x80";  // U+1F600 😀

struct Named {
    std::string name;
    std::string bytes;
};

// Unicode White_Space, every member (protocol.md §4 bans it in titles and file names).
std::vector<Named> whiteSpaceCharacters() {
    std::vector<Named> all = {
        {"U+0009", "\t"},           {"U+000A", "\n"},           {"U+000B", "\x0B"},
        {"U+000C", "\x0C"},         {"U+000D", "\r"},           {"U+0020", " "},
        {"U+0085", "\xC2\x85"},     {"U+00A0", "\xC2\xA0"},     {"U+1680", "\xE1\x9A\x80"},
        {"U+2028", "\xE2\x80\xA8"}, {"U+2029", "\xE2\x80\xA9"}, {"U+202F", "\xE2\x80\xAF"},
        {"U+205F", "\xE2\x81\x9F"}, {"U+3000", "\xE3\x80\x80"},
    };
    for (int k = 0; k <= 0x0A; ++k) {  // U+2000..U+200A
        all.push_back({std::string("U+200") + "0123456789A" [k],
                       std::string { '\xE2', '\x80', static_cast<char>(0x80 + k) }});
    }
    return all;
}

// General category Cc other than the White_Space ones: C0, DEL, C1.
const std::vector<Named> kControlCharacters = {
    {"U+0000", "\0"s},      {"U+0001", "\x01"},     {"U+0008", "\x08"},
    {"U+001B", "\x1B"},     {"U+001F", "\x1F"},     {"U+007F DEL", "\x7F"},
    {"U+0080", "\xC2\x80"}, {"U+0084", "\xC2\x84"}, {"U+009F", "\xC2\x9F"},
};

// Neither White_Space nor Cc, though some look blank or sit next to ones that are.
const std::vector<Named> kAllowedOddities = {
    {"U+00A1", "\xC2\xA1"},     {"U+00AD soft hyphen", "\xC2\xAD"},
    {"U+180E", "\xE1\xA0\x8E"}, {"U+200B zero width space", "\xE2\x80\x8B"},
    {"U+2027", "\xE2\x80\xA7"}, {"U+2060", "\xE2\x81\xA0"},
    {"U+3001", "\xE3\x80\x81"}, {"U+FEFF", "\xEF\xBB\xBF"},
};

// Each family of ill-formed UTF-8 (Unicode Table 3-7).
const std::vector<Named> kInvalidUtf8 = {
    {"overlong 2-byte NUL", "\xC0\x80"},
    {"overlong 2-byte slash", "\xC0\xAF"},
    {"overlong 2-byte U+007F", "\xC1\xBF"},
    {"overlong 3-byte NUL", "\xE0\x80\x80"},
    {"overlong 3-byte U+07FF", "\xE0\x9F\xBF"},
    {"overlong 4-byte NUL", "\xF0\x80\x80\x80"},
    {"overlong 4-byte U+FFFF", "\xF0\x8F\xBF\xBF"},
    {"surrogate U+D800", "\xED\xA0\x80"},
    {"surrogate U+DBFF", "\xED\xAF\xBF"},
    {"surrogate U+DC00", "\xED\xB0\x80"},
    {"surrogate U+DFFF", "\xED\xBF\xBF"},
    {"surrogate pair (CESU-8)", "\xED\xA0\xBD\xED\xB8\x80"},
    {"U+110000", "\xF4\x90\x80\x80"},
    {"F4 BF BF BF", "\xF4\xBF\xBF\xBF"},
    {"F5 lead", "\xF5\x80\x80\x80"},
    {"F7 lead", "\xF7\xBF\xBF\xBF"},
    {"5-byte form", "\xF8\x88\x80\x80\x80"},
    {"6-byte form", "\xFC\x84\x80\x80\x80\x80"},
    {"FE", "\xFE"},
    {"FF", "\xFF"},
    {"truncated 2-byte at end", "abc\xC3"},
    {"truncated 3-byte at end", "abc\xE2\x82"},
    {"truncated 4-byte at end", "abc\xF0\x9F\x98"},
    {"lead alone at end", "\xE2"},
    {"truncated 2-byte mid-string",
     "\xC3"
     "abc"},
    {"truncated 3-byte mid-string",
     "\xE2\x82"
     "abc"},
    {"truncated 4-byte mid-string", "\xF0\x9F\x98 x"},
    {"truncated before another lead", "\xE2\x82\xC3\xA9"},
    {"lone continuation", "\x80"},
    {"lone continuation mid-string",
     "a\xBF"
     "b"},
    {"extra continuation", "\xC3\xA9\xA9"},
    {"continuation after ASCII", "a\x80"},
};

std::string repeated(std::size_t count, char c = 'a') {
    return std::string(count, c);
}

template <typename Check>
void expectValid(Check check, const std::vector<Named>& rows) {
    for (const Named& row : rows) {
        BOOST_TEST_CONTEXT(row.name << " (" << row.bytes.size() << " bytes)") {
            const auto problem = check(row.bytes);
            BOOST_TEST(!problem.has_value());
        }
    }
}

template <typename Check>
void expectInvalid(Check check, const std::vector<Named>& rows) {
    for (const Named& row : rows) {
        BOOST_TEST_CONTEXT(row.name << " (" << row.bytes.size() << " bytes)") {
            const auto problem = check(row.bytes);
            BOOST_TEST_REQUIRE(problem.has_value());
            BOOST_TEST(!problem->empty());
        }
    }
}

std::vector<Named> surrounded(const std::vector<Named>& characters) {
    std::vector<Named> rows;
    for (const Named& c : characters) {
        rows.push_back({c.name + " inside", "a" + c.bytes + "b"});
        rows.push_back({c.name + " alone", c.bytes});
    }
    return rows;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(utf8)

BOOST_AUTO_TEST_CASE(accepts_well_formed_utf8_at_each_range_edge) {
    const std::vector<Named> valid = {
        {"empty", ""},
        {"ASCII", "do or do not"},
        {"NUL", "\0"s},
        {"U+007F", "\x7F"},
        {"U+0080", "\xC2\x80"},
        {"U+07FF", "\xDF\xBF"},
        {"U+0800", "\xE0\xA0\x80"},
        {"U+D7FF", "\xED\x9F\xBF"},
        {"U+E000", "\xEE\x80\x80"},
        {"U+FFFF", "\xEF\xBF\xBF"},
        {"U+10000", "\xF0\x90\x80\x80"},
        {"U+10FFFF", "\xF4\x8F\xBF\xBF"},
        {"mixed", "caf" + kTwoBytes + " " + kThreeBytes + kFourBytes + "!"},
    };
    for (const Named& row : valid) {
        BOOST_TEST_CONTEXT(row.name) {
            BOOST_TEST(isValidUtf8(row.bytes));
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_every_family_of_ill_formed_utf8) {
    for (const Named& row : kInvalidUtf8) {
        BOOST_TEST_CONTEXT(row.name) {
            BOOST_TEST(!isValidUtf8(row.bytes));
            BOOST_TEST(!isValidUtf8("ok " + row.bytes + " ok"));
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_every_byte_that_can_never_appear) {
    // C0 and C1 could only start overlong forms; F5-FF only code points above U+10FFFF.
    std::vector<int> never = {0xC0, 0xC1};
    for (int byte = 0xF5; byte <= 0xFF; ++byte) {
        never.push_back(byte);
    }
    for (int byte : never) {
        BOOST_TEST_CONTEXT("byte " << byte) {
            const char c = static_cast<char>(byte);
            BOOST_TEST(!isValidUtf8(std::string{c}));
            BOOST_TEST(!isValidUtf8(std::string{c, '\x80', '\x80', '\x80'}));
            BOOST_TEST(!isValidUtf8(std::string{c, '\xBF', '\xBF', '\xBF'}));
        }
    }
}

// The validators pass over runs of printable ASCII a word at a time: one byte of any value,
// at any offset of a longer plain text (so at each position within a word, and in the tail
// after the last whole word), must be judged exactly as the rules say.
BOOST_AUTO_TEST_CASE(judges_one_byte_of_any_value_at_any_offset_of_a_plain_text) {
    const std::string plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO";  // 41 bytes
    for (int value = 0; value <= 0xFF; ++value) {
        const bool ascii = value < 0x80;
        const bool control = value < 0x20 || value == 0x7F;
        const bool messageOk = ascii && (!control || value == '\t');
        const bool titleOk = ascii && !control && value != ' ';
        for (std::size_t offset = 0; offset < plain.size(); ++offset) {
            std::string text = plain;
            text[offset] = static_cast<char>(value);
            BOOST_TEST_CONTEXT("byte " << value << " at offset " << offset) {
                BOOST_TEST(isValidUtf8(text) == ascii);
                BOOST_TEST(!checkMessageText(text).has_value() == messageOk);
                BOOST_TEST(!checkPassword(text).has_value() == messageOk);
                BOOST_TEST(!checkTitle(text).has_value() == titleOk);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(judges_multibyte_characters_at_any_offset_of_a_plain_text) {
    const std::string plain(40, 'x');
    const std::vector<std::pair<std::string, bool>> characters = {
        {kTwoBytes, true}, {kThreeBytes, true}, {kFourBytes, true}, {"\xC2\xA0", false}};
    for (const auto& [character, titleOk] : characters) {
        for (std::size_t offset = 0; offset <= plain.size(); ++offset) {
            std::string text = plain;
            text.insert(offset, character);
            const std::string cut = text.substr(0, offset + character.size() - 1);
            BOOST_TEST_CONTEXT("character " << character << " at offset " << offset) {
                BOOST_TEST(isValidUtf8(text));
                BOOST_TEST(!checkMessageText(text).has_value());
                BOOST_TEST(!checkTitle(text).has_value() == titleOk);
                BOOST_TEST(!isValidUtf8(cut), "a sequence cut short at the end is invalid");
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(title_rules)

BOOST_AUTO_TEST_CASE(accepts_titles_of_1_to_64_bytes) {
    std::vector<Named> valid = {
        {"one byte", "a"},
        {"word", "jedi"},
        {"64 bytes", repeated(64)},
        {"62 + 2-byte char", repeated(62) + kTwoBytes},
        {"61 + 3-byte char", repeated(61) + kThreeBytes},
        {"60 + 4-byte char", repeated(60) + kFourBytes},
        {"16 4-byte chars",
         [] {
             std::string s;
             for (int i = 0; i < 16; ++i) {
                 s += kFourBytes;
             }
             return s;
         }()},
        {"punctuation", "a.b-c_d/e\\f:g"},
        {"leading dot", ".hidden"},
        {"UTF-8", "caf" + kTwoBytes},
    };
    for (const Named& oddity : kAllowedOddities) {
        valid.push_back({oddity.name, "a" + oddity.bytes + "b"});
    }
    expectValid(checkTitle, valid);
}

BOOST_AUTO_TEST_CASE(rejects_titles_outside_1_to_64_bytes) {
    expectInvalid(checkTitle, {
                                  {"empty", ""},
                                  {"65 bytes", repeated(65)},
                                  {"63 + 2-byte char", repeated(63) + kTwoBytes},
                                  {"62 + 3-byte char", repeated(62) + kThreeBytes},
                                  {"61 + 4-byte char", repeated(61) + kFourBytes},
                                  {"1000 bytes", repeated(1000)},
                              });
}

BOOST_AUTO_TEST_CASE(rejects_titles_with_whitespace_or_control_characters) {
    expectInvalid(checkTitle, surrounded(whiteSpaceCharacters()));
    expectInvalid(checkTitle, surrounded(kControlCharacters));
}

BOOST_AUTO_TEST_CASE(rejects_titles_of_invalid_utf8) {
    expectInvalid(checkTitle, kInvalidUtf8);
    // 64 bytes, but the last character is cut short.
    expectInvalid(checkTitle, {{"truncated at the limit", repeated(63) + "\xC3"},
                               {"split 3-byte at the limit", repeated(62) + "\xE2\x82"}});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(file_name_rules)

BOOST_AUTO_TEST_CASE(accepts_file_names_of_1_to_128_bytes) {
    std::vector<Named> valid = {
        {"one byte", "f"},
        {"usual", "notes.txt"},
        {"over a title's limit", repeated(100)},
        {"128 bytes", repeated(128)},
        {"126 + 2-byte char", repeated(126) + kTwoBytes},
        {"124 + 4-byte char", repeated(124) + kFourBytes},
        {"inner dots", "a..b"},
        {"trailing dot", "file."},
        {"UTF-8", "\xE6\x97\xA5\xE6\x9C\xAC.txt"},
    };
    for (const Named& oddity : kAllowedOddities) {
        valid.push_back({oddity.name, "a" + oddity.bytes + "b"});
    }
    expectValid(checkFileName, valid);
}

BOOST_AUTO_TEST_CASE(rejects_file_names_outside_1_to_128_bytes) {
    expectInvalid(checkFileName, {
                                     {"empty", ""},
                                     {"129 bytes", repeated(129)},
                                     {"127 + 2-byte char", repeated(127) + kTwoBytes},
                                     {"125 + 4-byte char", repeated(125) + kFourBytes},
                                 });
}

BOOST_AUTO_TEST_CASE(rejects_separators_and_a_leading_dot) {
    expectInvalid(checkFileName, {
                                     {"slash", "a/b"},
                                     {"leading slash", "/etc"},
                                     {"trailing slash", "dir/"},
                                     {"backslash", "a\\b"},
                                     {"dot", "."},
                                     {"dot dot", ".."},
                                     {"hidden", ".bashrc"},
                                     {"climbing", "../x"},
                                 });
}

BOOST_AUTO_TEST_CASE(rejects_file_names_with_whitespace_control_or_invalid_utf8) {
    expectInvalid(checkFileName, surrounded(whiteSpaceCharacters()));
    expectInvalid(checkFileName, surrounded(kControlCharacters));
    expectInvalid(checkFileName, kInvalidUtf8);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(username_rules)

BOOST_AUTO_TEST_CASE(accepts_1_to_32_allowed_characters) {
    expectValid(checkUsername, {
                                   {"one", "a"},
                                   {"usual", "yoda"},
                                   {"every class", "Yoda_1.2-3"},
                                   {"32", repeated(32, 'u')},
                                   {"dots", ".."},
                                   {"dash", "-"},
                                   {"underscore", "_"},
                                   {"digits", "0123456789"},
                                   {"letters", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"},
                               });
}

BOOST_AUTO_TEST_CASE(rejects_other_characters_and_lengths) {
    expectInvalid(checkUsername, {
                                     {"empty", ""},
                                     {"33", repeated(33, 'u')},
                                     {"space", "yo da"},
                                     {"tab", "yo\tda"},
                                     {"bang", "yoda!"},
                                     {"at", "a@b"},
                                     {"slash", "a/b"},
                                     {"plus", "a+b"},
                                     {"non-ASCII letter", "y" + kTwoBytes + "da"},
                                     {"NUL", "yo\0da"s},
                                     {"invalid UTF-8", "yoda\xFF"},
                                 });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(password_rules)

BOOST_AUTO_TEST_CASE(accepts_1_to_128_bytes_with_spaces_and_tabs) {
    expectValid(checkPassword, {
                                   {"one", "x"},
                                   {"with spaces", "wise old one"},
                                   {"leading space", " leading"},
                                   {"trailing space", "trailing "},
                                   {"tab", "tab\there"},
                                   {"128 bytes", repeated(128, 'p')},
                                   {"126 + 2-byte char", repeated(126, 'p') + kTwoBytes},
                                   {"UTF-8", "p" + kTwoBytes + "ssw" + kTwoBytes + "rd"},
                                   // White_Space but not Cc: allowed in a password.
                                   {"U+00A0",
                                    "a\xC2\xA0"
                                    "b"},
                                   {"U+3000",
                                    "a\xE3\x80\x80"
                                    "b"},
                               });
}

BOOST_AUTO_TEST_CASE(rejects_bad_lengths_controls_and_invalid_utf8) {
    std::vector<Named> invalid = {
        {"empty", ""},
        {"129 bytes", repeated(129, 'p')},
        {"127 + 2-byte char", repeated(127, 'p') + kTwoBytes},
        {"CR", "a\rb"},
        {"LF", "a\nb"},
        {"U+0085", "a\xC2\x85"},
    };
    for (const Named& c : kControlCharacters) {
        invalid.push_back({c.name, "pw" + c.bytes});
    }
    for (const Named& bad : kInvalidUtf8) {
        invalid.push_back(bad);
    }
    expectInvalid(checkPassword, invalid);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(message_text_rules)

BOOST_AUTO_TEST_CASE(accepts_1_to_4000_bytes_with_spaces_and_tabs) {
    expectValid(checkMessageText, {
                                      {"one", "x"},
                                      {"sentence", "do or do not, there is no try"},
                                      {"tab", "a\tb"},
                                      {"outer spaces", "  spaced out  "},
                                      {"4000 bytes", repeated(4000, 'm')},
                                      {"3998 + 2-byte char", repeated(3998, 'm') + kTwoBytes},
                                      {"3996 + 4-byte char", repeated(3996, 'm') + kFourBytes},
                                      {"U+00A0",
                                       "a\xC2\xA0"
                                       "b"},
                                      {"U+2028 (Zl, not Cc)",
                                       "a\xE2\x80\xA8"
                                       "b"},
                                      {"U+3000",
                                       "a\xE3\x80\x80"
                                       "b"},
                                      {"lone dot", "."},
                                  });
}

BOOST_AUTO_TEST_CASE(rejects_text_over_4000_bytes_as_too_long) {
    const std::vector<Named> tooLong = {
        {"4001 bytes", repeated(4001, 'm')},
        {"3999 + 2-byte char", repeated(3999, 'm') + kTwoBytes},
        {"3997 + 4-byte char", repeated(3997, 'm') + kFourBytes},
        {"8000 bytes", repeated(8000, 'm')},
    };
    for (const Named& row : tooLong) {
        BOOST_TEST_CONTEXT(row.name) {
            const std::optional<TextProblem> problem = checkMessageText(row.bytes);
            BOOST_TEST_REQUIRE(problem.has_value());
            BOOST_TEST(problem->tooLong);
            BOOST_TEST(!problem->reason.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_empty_text_controls_and_invalid_utf8_as_bad_requests) {
    std::vector<Named> invalid = {
        {"empty", ""}, {"CR", "a\rb"}, {"LF", "a\nb"}, {"VT", "a\x0B"}, {"U+0085", "a\xC2\x85"},
    };
    for (const Named& c : kControlCharacters) {
        invalid.push_back({c.name, "text " + c.bytes});
    }
    for (const Named& bad : kInvalidUtf8) {
        invalid.push_back(bad);
    }
    invalid.push_back({"4000 bytes cut mid-character", repeated(3999, 'm') + "\xC3"});
    for (const Named& row : invalid) {
        BOOST_TEST_CONTEXT(row.name) {
            const std::optional<TextProblem> problem = checkMessageText(row.bytes);
            BOOST_TEST_REQUIRE(problem.has_value());
            BOOST_TEST(!problem->tooLong);
            BOOST_TEST(!problem->reason.empty());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dfp::protocol

BOOST_AUTO_TEST_SUITE(fold_username)

BOOST_AUTO_TEST_CASE(folds_ascii_letters_and_keeps_everything_else) {
    const std::pair<std::string, std::string> rows[] = {
        {"Yoda", "yoda"}, {"YODA", "yoda"}, {"yoda", "yoda"}, {"R2-D2_.x", "r2-d2_.x"}, {"", ""},
    };
    for (const auto& [name, key] : rows) {
        BOOST_TEST(dfp::protocol::foldUsername(name) == key);
    }
}

BOOST_AUTO_TEST_SUITE_END()
