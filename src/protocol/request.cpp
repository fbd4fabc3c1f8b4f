#include "protocol/request.h"

#include <algorithm>

#include <cstddef>
#include <cstdint>
#include <limits>

#include "protocol/validators.h"

namespace dfp::protocol {
namespace {

constexpr std::size_t kMaxMessageNumberDigits = 18;
constexpr std::size_t kMaxSizeDigits = 19;
constexpr std::size_t kSha256HexDigits = 64;

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

bool allDigits(std::string_view text) {
    for (char c : text) {
        if (!isDigit(c)) {
            return false;
        }
    }
    return true;
}

// Only SP separates (protocol.md §1); a TAB is part of a token, and the validators refuse it
// in names.
std::size_t skipSpaces(std::string_view line, std::size_t pos) {
    while (pos < line.size() && line[pos] == ' ') {
        ++pos;
    }
    return pos;
}

// The token starting at pos (which is not a space); pos moves past it.
std::string_view takeToken(std::string_view line, std::size_t& pos) {
    const std::size_t start = pos;
    while (pos < line.size() && line[pos] != ' ') {
        ++pos;
    }
    return line.substr(start, pos - start);
}

}  // namespace

Request parseRequest(std::string_view line) {
    Request request;
    request.validUtf8 = isValidUtf8(line);

    std::size_t pos = skipSpaces(line, 0);
    if (pos == line.size()) {
        return request;  // empty or all spaces: no verb at all, the server answers 400
    }
    request.verbText = std::string(takeToken(line, pos));
    request.spec = findCommand(request.verbText);
    if (request.spec == nullptr) {
        return request;
    }
    const CommandSpec& spec = *request.spec;

    // A rest-of-line command takes its leading arguments as tokens and the rest verbatim;
    // every other command is tokens only, and extra ones make the count wrong.
    const std::size_t tokenLimit = spec.restOfLine ? static_cast<std::size_t>(spec.maxArgs - 1)
                                                   : std::numeric_limits<std::size_t>::max();
    pos = skipSpaces(line, pos);
    while (pos < line.size() && request.args.size() < tokenLimit) {
        request.args.emplace_back(takeToken(line, pos));
        pos = skipSpaces(line, pos);
    }
    if (spec.restOfLine && pos < line.size()) {
        // pos is at the first non-space byte after the previous argument (protocol.md §1);
        // inner and trailing spaces are part of the text. An empty rest is a missing argument.
        request.args.emplace_back(line.substr(pos));
    }

    const auto count = static_cast<int>(request.args.size());
    request.arityOk = count >= spec.minArgs && count <= spec.maxArgs;
    return request;
}

std::optional<long long> parseMessageNumber(std::string_view text) {
    if (text.empty() || text.size() > kMaxMessageNumberDigits || !allDigits(text)) {
        return std::nullopt;
    }
    // 18 digits stay below 10^18 < LLONG_MAX, so no overflow check is needed.
    long long value = 0;
    for (char c : text) {
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<unsigned long long> parseSize(std::string_view text) {
    if (text.empty() || text.size() > kMaxSizeDigits || !allDigits(text)) {
        return std::nullopt;
    }
    // 19 digits stay below 10^19 < ULLONG_MAX, so the value is exact before the range check.
    unsigned long long value = 0;
    for (char c : text) {
        value = value * 10 + static_cast<unsigned long long>(c - '0');
    }
    if (value > static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::string> parseSha256(std::string_view text) {
    if (text.size() != kSha256HexDigits) {
        return std::nullopt;
    }
    std::string lower(text);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'F') {
            c = static_cast<char>(c - 'A' + 'a');
        } else if (!isDigit(c) && !(c >= 'a' && c <= 'f')) {
            return std::nullopt;
        }
    }
    return lower;
}

std::vector<std::string> splitOnSpaces(std::string_view text) {
    std::vector<std::string> tokens;
    splitOnSpaces(text, tokens);
    return tokens;
}

void splitOnSpaces(std::string_view text, std::vector<std::string>& tokens) {
    std::size_t count = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (text[pos] == ' ') {
            ++pos;
            continue;
        }
        const std::size_t end = std::min(text.find(' ', pos), text.size());
        if (count < tokens.size()) {
            tokens[count].assign(text.substr(pos, end - pos));
        } else {
            tokens.emplace_back(text.substr(pos, end - pos));
        }
        ++count;
        pos = end;
    }
    tokens.resize(count);
}

}  // namespace dfp::protocol
