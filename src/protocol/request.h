#pragma once

// Request parsing (docs/protocol.md §1, §4). Splitting a line into a verb and arguments is
// separate from judging it, because the server's gate judges in a fixed order: unknown verb
// (400), then login (401), then argument count (400 with the usage).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/commands.h"

namespace dfp::protocol {

struct Request {
    std::string verbText;               // the verb as typed, for "400 unknown command <VERB>"
    const CommandSpec* spec = nullptr;  // nullptr for an unknown verb
    std::vector<std::string> args;
    bool validUtf8 = true;  // false: the whole line is invalid UTF-8 (answer 400)
    bool arityOk = false;   // args count within [minArgs, maxArgs]
};

// Splits a line (without its LF/CR) into verb and arguments. Arguments are separated by one
// or more spaces; for a restOfLine command the last argument starts at the first non-space
// byte after the previous argument and runs to the end of the line, kept exactly. Never
// throws; every judgement is recorded in the result.
Request parseRequest(std::string_view line);

// The tokens of text separated by runs of spaces (U+0020), as DFP/1 separates arguments
// and reply fields (protocol.md §1, §2).
std::vector<std::string> splitOnSpaces(std::string_view text);
// The same tokens written into tokens, reusing the strings it already holds (a reader that
// splits every status line into one vector allocates only while the vector grows).
void splitOnSpaces(std::string_view text, std::vector<std::string>& tokens);

// A message number: 1-18 ASCII digits (protocol.md §4). nullopt if malformed. "0" parses
// (it is well-formed and names no message: 404, not 400).
std::optional<long long> parseMessageNumber(std::string_view text);

// A size for UPD: 1-19 ASCII digits, no sign; nullopt if malformed or above INT64_MAX.
std::optional<unsigned long long> parseSize(std::string_view text);

// A sha256 in hex: exactly 64 hex digits, either case; returns it lower-cased.
std::optional<std::string> parseSha256(std::string_view text);

}  // namespace dfp::protocol
