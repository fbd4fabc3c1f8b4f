#pragma once

// Words for people (docs/client.md): what the client prints for a successful command, a
// refusal, a notice or a login step. Acts on the code and the fields of a response, as
// protocol.md §2 asks; the server's free text is shown only where it is the best explanation
// there is (a 400's reason). Pure; scripted mode prints the same words as interactive mode.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/command.h"

namespace dfp::client {

// A complete response: the status line and, for 210/215, its body lines.
struct Reply {
    int code = 0;
    std::string text;                 // the status line after the code
    std::vector<std::string> fields;  // text split on spaces
    std::vector<std::string> body;

    std::string field(std::size_t index) const {
        return index < fields.size() ? fields[index] : std::string();
    }
};

// Text from the server made safe for a terminal: control characters other than TAB (C0, DEL
// and the C1 range, written as UTF-8) become '?', so a hostile server cannot send escape
// sequences to the user's terminal.
std::string printable(std::string_view text);

// "0 B", "512 B", "1.5 KiB", "20.0 MiB", "1.2 GiB".
std::string formatBytes(std::uint64_t bytes);

// The lines to print for a successful reply to command.
std::vector<std::string> describeSuccess(const Command& command, const Reply& reply);

// The sentence for a refused command (a 4xx or 5xx reply).
std::string describeRefusal(const Command& command, const Reply& reply);

enum class LoginStep { User, Pass };
std::string describeLoginRefusal(LoginStep step, std::string_view user, const Reply& reply);
std::string describeLoginSuccess(const Reply& reply, std::string_view user);

// A 6xx notice. 600 and 601 end the session.
std::string describeNotice(int code, std::string_view text);
bool noticeEndsSession(int code);

}  // namespace dfp::client
