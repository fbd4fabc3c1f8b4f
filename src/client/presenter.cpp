#include "client/presenter.h"

#include <array>
#include <cstdio>
#include <optional>

#include "protocol/codes.h"
#include "protocol/request.h"
#include "protocol/validators.h"

namespace dfp::client {
namespace {

using protocol::Code;
using protocol::Verb;

constexpr int code(Code value) {
    return protocol::toInt(value);
}

std::string plural(std::size_t count, std::string_view one, std::string_view many) {
    return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

// The thread a command is about: its first argument.
std::string titleOf(const Command& command) {
    return printable(command.title.empty() && !command.args.empty() ? command.args.front()
                                                                    : command.title);
}

std::string argOf(const Command& command, std::size_t index) {
    return index < command.args.size() ? printable(command.args[index]) : std::string();
}

Verb verbOf(const Command& command) {
    return command.spec != nullptr ? command.spec->verb : Verb::Help;
}

std::string serverSays(const Reply& reply) {
    return reply.text.empty() ? std::string() : " (" + printable(reply.text) + ")";
}

}  // namespace

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == '\t') {
            out += ' ';
        } else if (byte < 0x20 || byte == 0x7F) {
            out += '?';
        } else if (byte == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            // U+0080..U+009F: C1 controls, CSI among them.
            out += '?';
            ++i;
        } else {
            out += static_cast<char>(byte);
        }
    }
    return out;
}

std::string formatBytes(std::uint64_t bytes) {
    static constexpr std::array<const char*, 5> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) {
        return std::to_string(bytes) + " B";
    }
    double value = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < kUnits.size()) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
    return text;
}

std::vector<std::string> describeSuccess(const Command& command, const Reply& reply) {
    switch (verbOf(command)) {
        case Verb::Crt:
            return {"Thread " + printable(reply.fields.empty() ? command.title : reply.field(0)) +
                    " created"};
        case Verb::Msg:
            return {"Message #" + printable(reply.field(0)) + " posted"};
        case Verb::Dlt:
            return {"Message #" + printable(reply.field(1)) + " deleted"};
        case Verb::Edt:
            return {"Message #" + printable(reply.field(1)) + " edited"};
        case Verb::Lst: {
            if (reply.body.empty()) {
                return {"No threads yet"};
            }
            std::vector<std::string> lines{plural(reply.body.size(), "thread:", "threads:")};
            for (const std::string& title : reply.body) {
                lines.push_back("  " + printable(title));
            }
            return lines;
        }
        case Verb::Rdt: {
            if (reply.body.empty()) {
                return {"Thread " + titleOf(command) + " is empty"};
            }
            std::vector<std::string> lines{"Thread " + titleOf(command) + ", " +
                                           plural(reply.body.size(), "entry:", "entries:")};
            for (const std::string& entry : reply.body) {
                lines.push_back("  " + printable(entry));
            }
            return lines;
        }
        case Verb::Upd: {
            const std::optional<unsigned long long> size = protocol::parseSize(reply.field(1));
            return {"File " + printable(command.fileName) + " uploaded to " + titleOf(command) +
                    (size ? " (" + formatBytes(*size) + ")" : std::string())};
        }
        case Verb::Rmf:
            return {"File " +
                    printable(reply.fields.size() > 1 ? reply.field(1) : argOf(command, 1)) +
                    " removed from " + titleOf(command)};
        case Verb::Rmv:
            return {"Thread " +
                    printable(reply.fields.size() > 1 ? reply.field(1) : command.title) +
                    " removed"};
        case Verb::Xit:
            return {"Goodbye"};
        case Verb::Sht:
            return {"The server is shutting down"};
        case Verb::Ping:
            return {"The server is alive (pong)"};
        case Verb::Capa: {
            std::vector<std::string> lines{"Server capabilities:"};
            for (const std::string& capability : reply.body) {
                lines.push_back("  " + printable(capability));
            }
            return lines;
        }
        default: {
            std::vector<std::string> lines{printable(reply.text)};
            for (const std::string& line : reply.body) {
                lines.push_back("  " + printable(line));
            }
            return lines;
        }
    }
}

std::string describeRefusal(const Command& command, const Reply& reply) {
    const Verb verb = verbOf(command);
    const std::string title = titleOf(command);
    switch (reply.code) {
        case code(Code::BadRequest):
            if (verb == Verb::Upd && reply.text.find("checksum") != std::string::npos) {
                return "Upload of " + printable(command.fileName) +
                       " refused: the server received different bytes (checksum mismatch)";
            }
            return std::string(command.spec != nullptr ? command.spec->name : "Command") +
                   " refused: " + printable(reply.text);
        case code(Code::NotLoggedIn):
            return "Log in first";
        case code(Code::Forbidden):
            switch (verb) {
                case Verb::Dlt:
                    return "Message #" + argOf(command, 1) +
                           " is not yours: only its author may delete it";
                case Verb::Edt:
                    return "Message #" + argOf(command, 1) +
                           " is not yours: only its author may edit it";
                case Verb::Rmv:
                    return "Only the creator of thread " + title + " may remove it";
                case Verb::Rmf:
                    return "Only the uploader of " + argOf(command, 1) +
                           " or the creator of thread " + title + " may remove it";
                case Verb::Sht:
                    return "Wrong admin password";
                default:
                    return "Not allowed" + serverSays(reply);
            }
        case code(Code::NotFound):
            switch (verb) {
                case Verb::Dlt:
                case Verb::Edt:
                    return "No message #" + argOf(command, 1) + " in thread " + title +
                           serverSays(reply);
                case Verb::Dwn:
                case Verb::Rmf:
                    return "No file " +
                           printable(command.fileName.empty() ? argOf(command, 1)
                                                              : command.fileName) +
                           " in thread " + title + serverSays(reply);
                default:
                    return "No thread " + title;
            }
        case code(Code::Conflict):
            if (verb == Verb::Crt) {
                return "Thread " + title + " already exists";
            }
            if (verb == Verb::Upd) {
                return "Thread " + title + " already has a file named " +
                       printable(command.fileName);
            }
            return "Conflict" + serverSays(reply);
        case code(Code::TooLarge):
            if (verb == Verb::Upd) {
                return "File " + printable(command.fileName) +
                       " is larger than the server accepts" + serverSays(reply);
            }
            return "Message too long: at most " + std::to_string(protocol::kMaxMessage) + " bytes";
        case code(Code::LineTooLong):
            return "Line too long for the server" + serverSays(reply);
        case code(Code::TooManyFailures):
            return "Too many failed attempts; the server closed the connection";
        case code(Code::InternalError):
            return "The server failed internally and closed the connection";
        case code(Code::ServerBusy):
            return "The server cannot serve this now" + serverSays(reply);
        case code(Code::StorageFull):
            return "The server's storage is full; nothing was stored";
        default:
            return "Refused with " + std::to_string(reply.code) + serverSays(reply);
    }
}

std::string describeLoginRefusal(LoginStep step, std::string_view user, const Reply& reply) {
    const std::string name = printable(user);
    switch (reply.code) {
        case code(Code::BadRequest):
            if (step == LoginStep::User) {
                return "Invalid username " + name + ": use 1-32 letters, digits, '_', '.' or '-'" +
                       serverSays(reply);
            }
            return "Password refused: " + printable(reply.text);
        case code(Code::WrongPassword):
            return "Wrong password for " + name;
        case code(Code::Forbidden):
            return "Registration is closed: there is no account " + name + " on this server";
        case code(Code::Conflict):
            return name + " is already logged in elsewhere (one session per user)";
        case code(Code::TooManyFailures):
            return "Too many failed attempts; the server closed the connection";
        default:
            return "Login refused with " + std::to_string(reply.code) + serverSays(reply);
    }
}

std::string describeLoginSuccess(const Reply& reply, std::string_view user) {
    const std::string name = printable(reply.fields.empty() ? user : reply.field(0));
    if (reply.code == code(Code::AccountCreated)) {
        return "Welcome, " + name + ": your account is created and you are logged in";
    }
    return "Logged in as " + name;
}

std::string describeNotice(int noticeCode, std::string_view text) {
    if (noticeCode == code(Code::NoticeShutdown)) {
        return "The server is shutting down; disconnected";
    }
    if (noticeCode == code(Code::NoticeIdle)) {
        return "Disconnected by the server after a long idle time";
    }
    return "Server notice " + std::to_string(noticeCode) + ": " + printable(text);
}

bool noticeEndsSession(int noticeCode) {
    return noticeCode == code(Code::NoticeShutdown) || noticeCode == code(Code::NoticeIdle);
}

}  // namespace dfp::client
