#include "protocol/commands.h"

#include <cstddef>
#include <iterator>

namespace dfp::protocol {
namespace {

// In HELP order, which is also the order of Verb, so specOf can index the table directly.
constexpr CommandSpec kCommands[] = {
    {Verb::User, "USER", 1, 1, /*restOfLine=*/false, /*beforeLogin=*/true, "USER <username>",
     "log in as a user; an unknown name registers a new account"},
    {Verb::Pass, "PASS", 1, 1, /*restOfLine=*/true, /*beforeLogin=*/true, "PASS <password>",
     "give the password for the name just sent with USER"},
    {Verb::Crt, "CRT", 1, 1, /*restOfLine=*/false, /*beforeLogin=*/false, "CRT <title>",
     "create a thread"},
    {Verb::Msg, "MSG", 2, 2, /*restOfLine=*/true, /*beforeLogin=*/false, "MSG <title> <text>",
     "post a message to a thread"},
    {Verb::Dlt, "DLT", 2, 2, /*restOfLine=*/false, /*beforeLogin=*/false, "DLT <title> <n>",
     "delete your message number n"},
    {Verb::Edt, "EDT", 3, 3, /*restOfLine=*/true, /*beforeLogin=*/false, "EDT <title> <n> <text>",
     "replace the text of your message number n"},
    {Verb::Lst, "LST", 0, 0, /*restOfLine=*/false, /*beforeLogin=*/false, "LST",
     "list the threads"},
    {Verb::Rdt, "RDT", 1, 1, /*restOfLine=*/false, /*beforeLogin=*/false, "RDT <title>",
     "read a thread's messages and files"},
    {Verb::Upd, "UPD", 3, 4, /*restOfLine=*/false, /*beforeLogin=*/false,
     "UPD <title> <file> <size> [<sha256>]", "upload a file to a thread"},
    {Verb::Dwn, "DWN", 2, 2, /*restOfLine=*/false, /*beforeLogin=*/false, "DWN <title> <file>",
     "download a file from a thread"},
    {Verb::Rmf, "RMF", 2, 2, /*restOfLine=*/false, /*beforeLogin=*/false, "RMF <title> <file>",
     "remove a file from a thread"},
    {Verb::Rmv, "RMV", 1, 1, /*restOfLine=*/false, /*beforeLogin=*/false, "RMV <title>",
     "remove a thread you created, with its messages and files"},
    {Verb::Xit, "XIT", 0, 0, /*restOfLine=*/false, /*beforeLogin=*/true, "XIT", "end the session"},
    {Verb::Sht, "SHT", 1, 1, /*restOfLine=*/true, /*beforeLogin=*/true, "SHT <admin-password>",
     "shut the server down (admin password)"},
    {Verb::Ping, "PING", 0, 0, /*restOfLine=*/false, /*beforeLogin=*/true, "PING",
     "check that the server is alive"},
    {Verb::Capa, "CAPA", 0, 0, /*restOfLine=*/false, /*beforeLogin=*/true, "CAPA",
     "list the server's capabilities"},
    {Verb::Help, "HELP", 0, 0, /*restOfLine=*/false, /*beforeLogin=*/true, "HELP",
     "list the commands and their syntax"},
};

constexpr bool tableFollowsVerbOrder() {
    for (std::size_t i = 0; i < std::size(kCommands); ++i) {
        if (static_cast<std::size_t>(kCommands[i].verb) != i) {
            return false;
        }
    }
    return std::size(kCommands) == static_cast<std::size_t>(Verb::Help) + 1;
}
static_assert(tableFollowsVerbOrder(), "kCommands must list every Verb once, in enum order");

// Verbs are ASCII, and protocol.md §1 makes them case-insensitive; a locale-aware toupper
// could fold non-ASCII bytes of a malformed verb into a match.
constexpr char upperAscii(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}

bool equalsIgnoringAsciiCase(std::string_view typed, std::string_view name) {
    if (typed.size() != name.size()) {
        return false;
    }
    for (std::size_t i = 0; i < typed.size(); ++i) {
        if (upperAscii(typed[i]) != name[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::span<const CommandSpec> commands() {
    return kCommands;
}

const CommandSpec* findCommand(std::string_view verb) {
    for (const CommandSpec& spec : kCommands) {
        if (equalsIgnoringAsciiCase(verb, spec.name)) {
            return &spec;
        }
    }
    return nullptr;
}

const CommandSpec& specOf(Verb verb) {
    return kCommands[static_cast<std::size_t>(verb)];
}

}  // namespace dfp::protocol
