#pragma once

// The name and text rules of docs/protocol.md §3-§4, with their exact limits. Each returns
// an empty optional when the value is valid, or a reason a person understands
// ("title must not contain spaces"), fit to follow a 400/413 code.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dfp::protocol {

inline constexpr std::size_t kMaxUsername = 32;
inline constexpr std::size_t kMaxTitle = 64;
inline constexpr std::size_t kMaxFileName = 128;
inline constexpr std::size_t kMaxMessage = 4000;
inline constexpr std::size_t kMaxPassword = 128;

// Strict UTF-8: rejects overlong encodings, surrogates (U+D800-DFFF), code points above
// U+10FFFF, truncated sequences and stray continuation bytes.
bool isValidUtf8(std::string_view text);

using Problem = std::optional<std::string>;

Problem checkUsername(std::string_view name);  // 1-32 of A-Z a-z 0-9 _ . -
// One byte a username may hold, for a caller that scans a username inside a longer text.
// A table, not a chain of comparisons: every RDT body line names its author, so clients (and
// dfp-bench) check a username per line read.
inline bool isUsernameByte(char c) {
    static constexpr std::array<bool, 256> kAllowed = [] {
        std::array<bool, 256> allowed{};
        for (int b = 0; b < 256; ++b) {
            allowed[static_cast<std::size_t>(b)] =
                (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
                b == '_' || b == '.' || b == '-';
        }
        return allowed;
    }();
    return kAllowed[static_cast<unsigned char>(c)];
}
Problem checkTitle(std::string_view title);        // 1-64 bytes UTF-8, no White_Space, no Cc
Problem checkFileName(std::string_view name);      // as titles, 1-128 bytes, no / \, no leading .
Problem checkPassword(std::string_view password);  // 1-128 bytes UTF-8, no Cc but TAB

// The key under which a user name is unique "without regard to case" (protocol.md §3). User
// names are ASCII, so ASCII lower-casing is exactly that.
std::string foldUsername(std::string_view name);

// Message text: 1-4000 bytes UTF-8, no Cc but TAB. tooLong distinguishes 413 from 400.
struct TextProblem {
    std::string reason;
    bool tooLong = false;
};
std::optional<TextProblem> checkMessageText(std::string_view text);

}  // namespace dfp::protocol
