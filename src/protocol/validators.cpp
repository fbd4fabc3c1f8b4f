#include "protocol/validators.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace dfp::protocol {
namespace {

// Decodes the code point at text[pos] and moves pos past it, or returns nullopt if the bytes
// there are not one well-formed sequence. The ranges are those of Unicode Table 3-7
// (Well-Formed UTF-8 Byte Sequences): the lead byte fixes the length, and the second byte's
// range is narrowed after E0, ED, F0 and F4 to shut out overlong forms, surrogates and code
// points above U+10FFFF. C0, C1 and F5-FF can never lead.
std::optional<char32_t> decodeNext(std::string_view text, std::size_t& pos) {
    const auto byteAt = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byteAt(pos);
    if (lead < 0x80) {
        ++pos;
        return lead;
    }

    std::size_t length = 0;
    char32_t codePoint = 0;
    unsigned char secondLow = 0x80;
    unsigned char secondHigh = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        codePoint = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        codePoint = lead & 0x0F;
        if (lead == 0xE0) {
            secondLow = 0xA0;  // E0 80..9F would be overlong
        } else if (lead == 0xED) {
            secondHigh = 0x9F;  // ED A0..BF would be a surrogate
        }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        codePoint = lead & 0x07;
        if (lead == 0xF0) {
            secondLow = 0x90;  // F0 80..8F would be overlong
        } else if (lead == 0xF4) {
            secondHigh = 0x8F;  // F4 90.. would be above U+10FFFF
        }
    } else {
        return std::nullopt;  // a stray continuation byte, or a lead that is never valid
    }

    if (text.size() - pos < length) {
        return std::nullopt;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char byte = byteAt(pos + i);
        const unsigned char low = i == 1 ? secondLow : 0x80;
        const unsigned char high = i == 1 ? secondHigh : 0xBF;
        if (byte < low || byte > high) {
            return std::nullopt;
        }
        codePoint = (codePoint << 6) | (byte & 0x3F);
    }
    pos += length;
    return codePoint;
}

// Unicode's White_Space property (PropList.txt), the whole set: protocol.md §4 bans it in
// titles and file names so that one name never looks like two, or like none.
bool isWhiteSpace(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

// General category Cc: C0, DEL and C1.
bool isControl(char32_t c) {
    return c <= 0x1F || (c >= 0x7F && c <= 0x9F);
}

enum class Scan { Ok, BadUtf8, Rejected };

// Whether all eight bytes of word lie in [low, 0x7E]: printable ASCII, which no predicate
// below rejects when low is the lowest byte it accepts. Bytewise comparisons done on the
// whole word at once (the "has less than" and "has more than" tests of Bit Twiddling Hacks);
// low must be at most 0x7F.
bool allPlainAscii(std::uint64_t word, unsigned char low) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
    const std::uint64_t someBelowLow = (word - kOnes * low) & ~word & kHighBits;
    const std::uint64_t someAbove7E = ((word + kOnes) | word) & kHighBits;
    return (someBelowLow | someAbove7E) == 0;
}

// Walks text as UTF-8 and stops at the first code point the predicate rejects. Every byte
// from lowestPlain to 0x7E must be one the predicate accepts: such bytes are passed over
// eight at a time where eight in a row are, else one at a time, without decoding; they are
// most of any text in practice (requests and replies alike).
template <typename Reject>
Scan scanCodePoints(std::string_view text, unsigned char lowestPlain, Reject reject) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (text.size() - pos >= sizeof(std::uint64_t)) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + pos, sizeof word);
            if (!allPlainAscii(word, lowestPlain)) {
                break;
            }
            pos += sizeof word;
        }
        if (pos == text.size()) {
            break;
        }
        // The same test a byte at a time: the tail of a text, or all of a short one (titles,
        // names), is mostly printable ASCII too.
        if (const auto byte = static_cast<unsigned char>(text[pos]);
            byte >= lowestPlain && byte <= 0x7E) {
            ++pos;
            continue;
        }
        const std::optional<char32_t> codePoint = decodeNext(text, pos);
        if (!codePoint) {
            return Scan::BadUtf8;
        }
        if (reject(*codePoint)) {
            return Scan::Rejected;
        }
    }
    return Scan::Ok;
}

constexpr std::string_view kInvalidUtf8 = "invalid UTF-8";

// Titles and file names share the character rule (protocol.md §4).
Problem checkNameCharacters(std::string_view name, std::string_view what) {
    switch (scanCodePoints(name, '!', [](char32_t c) { return isWhiteSpace(c) || isControl(c); })) {
        case Scan::Ok:
            return std::nullopt;
        case Scan::BadUtf8:
            return std::string(kInvalidUtf8);
        case Scan::Rejected:
            break;
    }
    return std::string(what) + " must not contain whitespace or control characters";
}

bool isControlButTab(char32_t c) {
    return c != '\t' && isControl(c);
}

}  // namespace

bool isValidUtf8(std::string_view text) {
    return scanCodePoints(text, 0x00, [](char32_t) { return false; }) == Scan::Ok;
}

Problem checkUsername(std::string_view name) {
    if (name.empty() || name.size() > kMaxUsername) {
        return "username must be 1-32 characters";
    }
    for (char c : name) {
        if (!isUsernameByte(c)) {
            return "username may only contain A-Z a-z 0-9 _ . -";
        }
    }
    return std::nullopt;
}

Problem checkTitle(std::string_view title) {
    // Limits are in bytes, not characters (protocol.md §4), so they bound storage and lines.
    if (title.empty() || title.size() > kMaxTitle) {
        return "title must be 1-64 bytes";
    }
    return checkNameCharacters(title, "title");
}

Problem checkFileName(std::string_view name) {
    if (name.empty() || name.size() > kMaxFileName) {
        return "file name must be 1-128 bytes";
    }
    if (Problem problem = checkNameCharacters(name, "file name")) {
        return problem;
    }
    // No separators and no leading dot, so a name can never climb out of, or hide in, the
    // directory a client saves downloads to.
    if (name.find_first_of("/\\") != std::string_view::npos) {
        return "file name must not contain / or \\";
    }
    if (name.front() == '.') {
        return "file name must not start with '.'";
    }
    return std::nullopt;
}

Problem checkPassword(std::string_view password) {
    if (password.empty() || password.size() > kMaxPassword) {
        return "password must be 1-128 bytes";
    }
    switch (scanCodePoints(password, ' ', isControlButTab)) {
        case Scan::Ok:
            return std::nullopt;
        case Scan::BadUtf8:
            return std::string(kInvalidUtf8);
        case Scan::Rejected:
            break;
    }
    return "password must not contain control characters";
}

std::optional<TextProblem> checkMessageText(std::string_view text) {
    if (text.empty()) {
        return TextProblem{"message text must not be empty", false};
    }
    // Size first: an oversized text is 413 whatever its bytes are, which tells the user the
    // one thing that will not be fixed by editing a character.
    if (text.size() > kMaxMessage) {
        return TextProblem{"message text must be at most 4000 bytes", true};
    }
    switch (scanCodePoints(text, ' ', isControlButTab)) {
        case Scan::Ok:
            return std::nullopt;
        case Scan::BadUtf8:
            return TextProblem{std::string(kInvalidUtf8), false};
        case Scan::Rejected:
            break;
    }
    return TextProblem{"message text must not contain control characters other than TAB", false};
}

std::string foldUsername(std::string_view name) {
    std::string key(name);
    for (char& c : key) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return key;
}

}  // namespace dfp::protocol
