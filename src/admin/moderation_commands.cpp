// remove-thread, remove-message, remove-file, reset-password: changes an operator makes as
// no user, each one transaction in the store, safe while the server runs.

#include <charconv>
#include <optional>
#include <string>
#include <system_error>

#include "admin/command_support.h"
#include "protocol/validators.h"
#include "storage/store_result.h"

namespace dfp::admin {
namespace {

using storage::StoreError;

// protocol.md §4: 1-18 ASCII digits, so the number fits an int64 whatever it is.
std::optional<storage::MessageNumber> parseMessageNumber(std::string_view text) {
    if (text.empty() || text.size() > 18) {
        return std::nullopt;
    }
    storage::MessageNumber number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size() || number < 0) {
        return std::nullopt;
    }
    return number;
}

std::optional<storage::PasswordCost> parsePasswordCost(std::string_view text) {
    if (text == "interactive") {
        return storage::PasswordCost::Interactive;
    }
    if (text == "moderate") {
        return storage::PasswordCost::Moderate;
    }
    if (text == "min") {
        return storage::PasswordCost::Minimum;
    }
    return std::nullopt;
}

}  // namespace

int runRemoveThread(const Invocation& invocation, AdminIo& io) {
    const std::string& title = invocation.args.at(0);
    const auto removed = openStore(invocation, StoreAccess::Write)->removeThreadAsModerator(title);
    if (!removed) {
        return fail(io, removed.error() == StoreError::ThreadNotFound
                            ? "no thread titled " + title + "; nothing removed"
                            : std::string(storage::describe(removed.error())));
    }
    if (invocation.json) {
        auto document = jsonObject();
        document->set("removed", "thread");
        document->set("thread", title);
        document->set("messages", static_cast<Poco::UInt64>(removed->messages));
        document->set("files", static_cast<Poco::UInt64>(removed->files));
        printJson(io.out, document);
        return kExitOk;
    }
    io.out << "removed thread " << title << " with " << removed->messages
           << (removed->messages == 1 ? " message" : " messages") << " and " << removed->files
           << (removed->files == 1 ? " file" : " files") << "\n";
    return kExitOk;
}

int runRemoveMessage(const Invocation& invocation, AdminIo& io) {
    const std::string& title = invocation.args.at(0);
    const std::optional<storage::MessageNumber> number = parseMessageNumber(invocation.args.at(1));
    if (!number) {
        return usageFailure(
            io, "message number must be 1 to 18 digits, not '" + invocation.args.at(1) + "'");
    }
    const storage::StoreStatus removed =
        openStore(invocation, StoreAccess::Write)->removeMessageAsModerator(title, *number);
    if (!removed) {
        switch (removed.error()) {
            case StoreError::ThreadNotFound:
                return fail(io, "no thread titled " + title + "; nothing removed");
            case StoreError::MessageNotFound:
                return fail(io, "thread " + title + " has no message " + std::to_string(*number) +
                                    "; nothing removed");
            default:
                return fail(io, storage::describe(removed.error()));
        }
    }
    if (invocation.json) {
        auto document = jsonObject();
        document->set("removed", "message");
        document->set("thread", title);
        document->set("number", static_cast<Poco::Int64>(*number));
        printJson(io.out, document);
        return kExitOk;
    }
    io.out << "removed message " << *number << " from thread " << title << "\n";
    return kExitOk;
}

int runRemoveFile(const Invocation& invocation, AdminIo& io) {
    const std::string& title = invocation.args.at(0);
    const std::string& name = invocation.args.at(1);
    const storage::StoreStatus removed =
        openStore(invocation, StoreAccess::Write)->removeFileAsModerator(title, name);
    if (!removed) {
        switch (removed.error()) {
            case StoreError::ThreadNotFound:
                return fail(io, "no thread titled " + title + "; nothing removed");
            case StoreError::FileNotFound:
                return fail(io, "thread " + title + " has no file " + name + "; nothing removed");
            default:
                return fail(io, storage::describe(removed.error()));
        }
    }
    if (invocation.json) {
        auto document = jsonObject();
        document->set("removed", "file");
        document->set("thread", title);
        document->set("name", name);
        printJson(io.out, document);
        return kExitOk;
    }
    io.out << "removed file " << name << " from thread " << title << "\n";
    return kExitOk;
}

int runResetPassword(const Invocation& invocation, AdminIo& io) {
    const std::string& user = invocation.args.at(0);
    storage::PasswordCost cost = storage::PasswordCost::Interactive;
    if (const auto text = invocation.option("password-hash-cost")) {
        const auto parsed = parsePasswordCost(*text);
        if (!parsed) {
            return usageFailure(io, "--password-hash-cost must be interactive, moderate or min");
        }
        cost = *parsed;
    }
    // Opened first, so a wrong data directory or an unknown user is said before anyone
    // types a password.
    auto store = openStore(invocation, StoreAccess::Write, cost);
    if (!store->findUser(user)) {
        return fail(io, "no user named " + user + "; nothing changed");
    }

    std::optional<std::string> password;
    if (io.secrets.fromTerminal()) {
        password = io.secrets.read("New password for " + user + ": ");
        if (password) {
            const std::optional<std::string> again = io.secrets.read("Repeat it: ");
            if (again != password) {
                return fail(io, "the two passwords differ; nothing changed");
            }
        }
    } else {
        password = io.secrets.read("");
    }
    if (!password) {
        return fail(io, "no password given; nothing changed");
    }
    if (const protocol::Problem problem = protocol::checkPassword(*password)) {
        return fail(io, "password refused: " + *problem + "; nothing changed");
    }

    const storage::StoreResult<std::string> reset = store->resetPassword(user, *password);
    if (!reset) {
        return fail(io, reset.error() == StoreError::UserNotFound
                            ? "no user named " + user + "; nothing changed"
                            : std::string(storage::describe(reset.error())));
    }
    if (invocation.json) {
        auto document = jsonObject();
        document->set("passwordReset", *reset);
        printJson(io.out, document);
        return kExitOk;
    }
    io.out << "password of " << *reset << " reset\n";
    return kExitOk;
}

}  // namespace dfp::admin
