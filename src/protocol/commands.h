#pragma once

// The one table of DFP/1 commands (docs/protocol.md §3-§4). It drives the server's gate and
// dispatch, CAPA and HELP, and the client's HELP and completion.

#include <optional>
#include <span>
#include <string_view>

namespace dfp::protocol {

enum class Verb {
    User,
    Pass,
    Crt,
    Msg,
    Dlt,
    Edt,
    Lst,
    Rdt,
    Upd,
    Dwn,
    Rmf,
    Rmv,
    Xit,
    Sht,
    Ping,
    Capa,
    Help
};

struct CommandSpec {
    Verb verb;
    std::string_view name;  // upper case, as on the wire
    int minArgs;
    int maxArgs;
    bool restOfLine;   // the last argument runs to the end of the line, kept exactly
    bool beforeLogin;  // accepted before login (protocol.md §3)
    std::string_view usage;
    std::string_view summary;  // one line for HELP
};

// Every command, in HELP order.
std::span<const CommandSpec> commands();

// Case-insensitive lookup of a verb as typed; nullopt for an unknown verb.
const CommandSpec* findCommand(std::string_view verb);

const CommandSpec& specOf(Verb verb);

}  // namespace dfp::protocol
