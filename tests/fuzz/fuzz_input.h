#pragma once

// Reads a libFuzzer input as a little program: numbers, lengths and byte strings taken from
// the front, so that small mutations make small changes in behaviour. Running out of input is
// not an error: every read then returns zeros or empty strings, and done() says so.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace dfp::fuzz {

class FuzzInput {
public:
    FuzzInput(const std::uint8_t* data, std::size_t size)
        : bytes_(reinterpret_cast<const char*>(data), size) {}

    bool done() const { return bytes_.empty(); }
    std::size_t left() const { return bytes_.size(); }

    std::uint8_t byte() {
        if (bytes_.empty()) {
            return 0;
        }
        const auto value = static_cast<std::uint8_t>(bytes_.front());
        bytes_.remove_prefix(1);
        return value;
    }

    std::uint16_t u16() { return static_cast<std::uint16_t>(byte() | (byte() << 8)); }

    // Up to count bytes (fewer at the end of the input).
    std::string_view take(std::size_t count) {
        const std::string_view piece = bytes_.substr(0, count);
        bytes_.remove_prefix(piece.size());
        return piece;
    }

    // Bytes up to (not including) the next LF, which is consumed; the rest if there is none.
    std::string_view line() {
        const std::size_t lf = bytes_.find('\n');
        const std::string_view piece = bytes_.substr(0, lf);
        bytes_.remove_prefix(lf == std::string_view::npos ? bytes_.size() : lf + 1);
        return piece;
    }

    std::string_view rest() { return take(bytes_.size()); }

private:
    std::string_view bytes_;
};

// An invariant broken: say which, and crash so that libFuzzer keeps the input.
[[noreturn]] inline void violated(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "fuzz invariant violated: %s %s\n", what, detail.c_str());
    std::abort();
}

#define DFP_FUZZ_CHECK(condition, detail)              \
    do {                                               \
        if (!(condition)) {                            \
            ::dfp::fuzz::violated(#condition, detail); \
        }                                              \
    } while (false)

}  // namespace dfp::fuzz
