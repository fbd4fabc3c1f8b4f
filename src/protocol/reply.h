#pragma once

// Formatting of DFP/1 responses (docs/protocol.md §2). Only this module dot-stuffs bodies and
// it refuses to put CR or LF inside a field, so user text can never break framing.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codes.h"

namespace dfp::protocol {

// "CODE field1 field2 text\n". Fields are single tokens at fixed positions; text is for people.
struct Reply {
    Code code;
    std::vector<std::string> fields;
    std::string text;
};

// Thrown when a reply would break framing (a CR/LF anywhere, a space or empty field). That is
// a bug in the caller, never a client's mistake: inputs are validated before they get here.
class FramingError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

std::string format(const Reply& reply);

// One body line, dot-stuffed ("." -> "..", ".x" -> "..x"), with its LF. Throws FramingError
// if the text holds CR or LF.
std::string formatBodyLine(std::string_view text);

// The line that ends a line body.
inline constexpr std::string_view kBodyEnd = ".\n";

}  // namespace dfp::protocol
