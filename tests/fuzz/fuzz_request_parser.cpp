// Fuzzes protocol::parseRequest and the validators (protocol.md §1, §4) with one request line.
//
// Invariants: nothing crashes or throws; validUtf8 agrees with a reference UTF-8 decoder
// written here from Unicode Table 3-7; the verb and arguments, put back together with the
// spaces between them, are exactly the line (a rest-of-line argument is the line's suffix from
// its first non-space byte, kept whole); every value a validator accepts obeys the rule it
// stands for, and can be put in a reply field or a body line without breaking the framing.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "protocol/commands.h"
#include "protocol/reply.h"
#include "protocol/request.h"
#include "protocol/validators.h"

namespace {

using namespace dfp::protocol;

// Strict UTF-8 by the book: decode, then refuse overlong forms, surrogates and values above
// U+10FFFF. Written differently from src/protocol on purpose.
bool referenceUtf8(std::string_view text, std::u32string* decoded = nullptr) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        int length = 0;
        char32_t value = 0;
        if (lead < 0x80) {
            length = 1;
            value = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2;
            value = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            value = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            value = lead & 0x07;
        } else {
            return false;
        }
        if (i + static_cast<std::size_t>(length) > text.size()) {
            return false;
        }
        for (int k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((next & 0xC0) != 0x80) {
                return false;
            }
            value = (value << 6) | (next & 0x3F);
        }
        static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (value < kSmallest[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
            return false;
        }
        if (decoded != nullptr) {
            decoded->push_back(value);
        }
        i += static_cast<std::size_t>(length);
    }
    return true;
}

bool isWhiteSpace(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

bool isControl(char32_t c) {
    return c <= 0x1F || (c >= 0x7F && c <= 0x9F);
}

// A title or file name that passed its validator.
void checkAcceptedName(std::string_view name, std::size_t maxBytes) {
    std::u32string decoded;
    DFP_FUZZ_CHECK(referenceUtf8(name, &decoded), "accepted name is not UTF-8");
    DFP_FUZZ_CHECK(!name.empty() && name.size() <= maxBytes, std::to_string(name.size()));
    for (char32_t c : decoded) {
        DFP_FUZZ_CHECK(!isWhiteSpace(c) && !isControl(c), "space or control in a name");
    }
    // A name is sent back as a reply field (409 <title>, 201 <file> ...) and a body line.
    const std::string line = format(Reply{Code::Conflict, {std::string(name)}, "exists"});
    DFP_FUZZ_CHECK(line.find('\n') == line.size() - 1 && line.find('\r') == std::string::npos,
                   "a name breaks a reply line");
}

void checkValidators(std::string_view value) {
    const bool utf8 = referenceUtf8(value);
    DFP_FUZZ_CHECK(isValidUtf8(value) == utf8, "isValidUtf8 disagrees with the reference");

    if (!checkTitle(value)) {
        checkAcceptedName(value, kMaxTitle);
    }
    if (!checkFileName(value)) {
        checkAcceptedName(value, kMaxFileName);
        DFP_FUZZ_CHECK(value.find('/') == std::string_view::npos &&
                           value.find('\\') == std::string_view::npos && value.front() != '.',
                       "a file name that could reach a path");
    }
    if (!checkUsername(value)) {
        DFP_FUZZ_CHECK(!value.empty() && value.size() <= kMaxUsername, "username length");
        for (char c : value) {
            const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                 (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
            DFP_FUZZ_CHECK(allowed, "username character");
        }
    }
    if (!checkPassword(value)) {
        std::u32string decoded;
        DFP_FUZZ_CHECK(referenceUtf8(value, &decoded), "accepted password is not UTF-8");
        DFP_FUZZ_CHECK(!value.empty() && value.size() <= kMaxPassword, "password length");
        for (char32_t c : decoded) {
            DFP_FUZZ_CHECK(c == '\t' || !isControl(c), "control character in a password");
        }
    }
    if (const auto problem = checkMessageText(value)) {
        DFP_FUZZ_CHECK(!problem->reason.empty(), "a refusal without a reason");
        // protocol.md §4: over 4000 bytes is 413 whatever the bytes, so size decides alone.
        DFP_FUZZ_CHECK(problem->tooLong == (value.size() > kMaxMessage), "tooLong");
    } else {
        std::u32string decoded;
        DFP_FUZZ_CHECK(referenceUtf8(value, &decoded), "accepted text is not UTF-8");
        DFP_FUZZ_CHECK(!value.empty() && value.size() <= kMaxMessage, "text length");
        for (char32_t c : decoded) {
            DFP_FUZZ_CHECK(c == '\t' || !isControl(c), "control character in a text");
        }
        // RDT sends it as a body line; the reader removes the stuffing again.
        std::string body = formatBodyLine(value);
        DFP_FUZZ_CHECK(body.back() == '\n' && body.find('\n') == body.size() - 1 &&
                           body.find('\r') == std::string::npos,
                       "a text breaks a body line");
        body.pop_back();
        if (body.front() == '.') {
            body.erase(0, 1);
        }
        DFP_FUZZ_CHECK(body == value, "dot-stuffing does not round-trip");
    }

    if (const auto number = parseMessageNumber(value)) {
        DFP_FUZZ_CHECK(!value.empty() && value.size() <= 18 && *number >= 0, "message number");
        DFP_FUZZ_CHECK(value.find_first_not_of("0123456789") == std::string_view::npos, "digits");
        const std::size_t firstDigit = value.find_first_not_of('0');
        const std::string_view significant =
            firstDigit == std::string_view::npos ? "0" : value.substr(firstDigit);
        DFP_FUZZ_CHECK(std::to_string(*number) == significant, "message number value");
    }
    if (const auto size = parseSize(value)) {
        DFP_FUZZ_CHECK(
            value.size() <= 19 && value.find_first_not_of("0123456789") == std::string_view::npos,
            "size digits");
        DFP_FUZZ_CHECK(
            *size <= static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()),
            "size range");
        const std::size_t firstDigit = value.find_first_not_of('0');
        const std::string_view significant =
            firstDigit == std::string_view::npos ? "0" : value.substr(firstDigit);
        DFP_FUZZ_CHECK(std::to_string(*size) == significant, "size value");
    }
    if (const auto sha = parseSha256(value)) {
        DFP_FUZZ_CHECK(sha->size() == 64 && value.size() == 64, "sha256 length");
        for (std::size_t i = 0; i < 64; ++i) {
            const char c = value[i];
            const char lower = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
            DFP_FUZZ_CHECK((*sha)[i] == lower &&
                               ((lower >= '0' && lower <= '9') || (lower >= 'a' && lower <= 'f')),
                           "sha256 digit");
        }
    }
}

std::size_t skipSpaces(std::string_view line, std::size_t pos) {
    while (pos < line.size() && line[pos] == ' ') {
        ++pos;
    }
    return pos;
}

void checkRequest(std::string_view line) {
    const Request request = parseRequest(line);
    DFP_FUZZ_CHECK(request.validUtf8 == referenceUtf8(line), "validUtf8");

    std::size_t pos = skipSpaces(line, 0);
    if (pos == line.size()) {
        DFP_FUZZ_CHECK(request.verbText.empty() && request.spec == nullptr && request.args.empty(),
                       "a blank line has a verb");
        return;
    }
    DFP_FUZZ_CHECK(
        line.substr(pos, request.verbText.size()) == request.verbText && !request.verbText.empty(),
        "verb is not the first token");
    pos += request.verbText.size();
    DFP_FUZZ_CHECK(pos == line.size() || line[pos] == ' ', "verb is not a whole token");
    DFP_FUZZ_CHECK(request.spec == findCommand(request.verbText), "spec");
    if (request.spec == nullptr) {
        DFP_FUZZ_CHECK(request.args.empty(), "arguments for an unknown verb");
        return;
    }
    const CommandSpec& spec = *request.spec;
    for (std::size_t i = 0; i < request.args.size(); ++i) {
        const std::string& arg = request.args[i];
        const std::size_t start = skipSpaces(line, pos);
        DFP_FUZZ_CHECK(start > pos, "arguments not separated by spaces");
        DFP_FUZZ_CHECK(!arg.empty() && arg.front() != ' ', "empty or space-led argument");
        const bool rest = spec.restOfLine && i + 1 == static_cast<std::size_t>(spec.maxArgs);
        if (rest) {
            // protocol.md §1: from the first non-space byte to the end of the line, kept.
            DFP_FUZZ_CHECK(line.substr(start) == arg, "rest of line does not reassemble");
            pos = line.size();
        } else {
            DFP_FUZZ_CHECK(arg.find(' ') == std::string::npos, "space inside a token");
            DFP_FUZZ_CHECK(line.substr(start, arg.size()) == arg, "token does not reassemble");
            pos = start + arg.size();
            DFP_FUZZ_CHECK(pos == line.size() || line[pos] == ' ', "token cut short");
        }
    }
    DFP_FUZZ_CHECK(skipSpaces(line, pos) == line.size(), "bytes left over after the arguments");
    const auto count = static_cast<int>(request.args.size());
    DFP_FUZZ_CHECK(request.arityOk == (count >= spec.minArgs && count <= spec.maxArgs), "arity");
    if (!spec.restOfLine) {
        // Tokens only: every token of the line is an argument, none dropped.
        std::size_t tokens = 0;
        for (std::size_t at = skipSpaces(line, 0); at < line.size();) {
            ++tokens;
            at = line.find(' ', at);
            at = at == std::string_view::npos ? line.size() : skipSpaces(line, at);
        }
        DFP_FUZZ_CHECK(tokens == request.args.size() + 1, "tokens dropped");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    dfp::fuzz::FuzzInput input(data, size);
    const std::string_view line = input.rest();
    checkRequest(line);
    checkValidators(line);
    const Request request = parseRequest(line);
    for (const std::string& arg : request.args) {
        checkValidators(arg);
    }
    return 0;
}
