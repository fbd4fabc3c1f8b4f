// shutdown: SHT over the protocol, with the admin password from a file, the environment,
// the server's own generated file, or a prompt (protocol.md §5).

#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "admin/command_support.h"
#include "admin/shutdown_request.h"
#include "admin/text_format.h"

namespace dfp::admin {
namespace {

using Result = ShutdownOutcome::Result;

constexpr std::uint16_t kDefaultPort = 58000;
constexpr long kDefaultTimeoutSeconds = 10;

std::optional<std::string> readWholeFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return std::nullopt;
    }
    return content;
}

std::string_view resultName(Result result) {
    switch (result) {
        case Result::Accepted:
            return "accepted";
        case Result::Refused:
            return "refused";
        case Result::NotReady:
            return "not-ready";
        case Result::Unreachable:
            return "unreachable";
        case Result::Garbled:
            return "garbled";
        case Result::TlsFailed:
            return "tls-failed";
    }
    return "unknown";
}

struct PasswordSource {
    std::optional<std::string> password;
    std::string error;  // when there is none
};

// In the order protocol.md §5 gives the server's own sources: the file given, the
// environment, then the file the server generates in its data directory; a prompt last.
PasswordSource findPassword(const Invocation& invocation, AdminIo& io, const std::string& address) {
    if (const auto file = invocation.option("admin-password-file")) {
        const std::optional<std::string> content = readWholeFile(*file);
        if (!content) {
            return {std::nullopt, "cannot read the admin password file " + *file};
        }
        return {withoutLineEnd(*content), ""};
    }
    if (auto variable = io.environment("DFP_ADMIN_PASSWORD"); variable && !variable->empty()) {
        return {std::move(variable), ""};
    }
    const std::filesystem::path generated = invocation.dataDir / "admin-password";
    std::error_code error;
    if (std::filesystem::is_regular_file(generated, error)) {
        if (const std::optional<std::string> content = readWholeFile(generated)) {
            return {withoutLineEnd(*content), ""};
        }
    }
    if (io.secrets.fromTerminal()) {
        std::optional<std::string> typed = io.secrets.read("Admin password for " + address + ": ");
        if (!typed) {
            return {std::nullopt, "no admin password given"};
        }
        return {std::move(typed), ""};
    }
    return {std::nullopt,
            "no admin password: give --admin-password-file=FILE, set DFP_ADMIN_PASSWORD, or "
            "run on a terminal to be asked"};
}

}  // namespace

int runShutdown(const Invocation& invocation, AdminIo& io) {
    ShutdownRequest request;
    request.host = invocation.option("host").value_or("127.0.0.1");
    request.port = kDefaultPort;
    if (const auto text = invocation.option("port")) {
        unsigned port = 0;
        const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), port);
        if (error != std::errc() || end != text->data() + text->size() || port == 0 ||
            port > 65535) {
            return usageFailure(io, "--port must be a number from 1 to 65535, not '" + *text + "'");
        }
        request.port = static_cast<std::uint16_t>(port);
    }
    long seconds = kDefaultTimeoutSeconds;
    if (const auto text = invocation.option("timeout")) {
        const auto [end, error] =
            std::from_chars(text->data(), text->data() + text->size(), seconds);
        if (error != std::errc() || end != text->data() + text->size() || seconds <= 0 ||
            seconds > 3600) {
            return usageFailure(io, "--timeout must be a number of seconds from 1 to 3600");
        }
    }
    request.timeout = std::chrono::seconds(seconds);
    request.tls = invocation.option("tls").has_value();
    request.caFile = invocation.option("ca-file");
    if (request.caFile && !request.tls) {
        return usageFailure(io, "--ca-file is for TLS: add --tls");
    }
    const std::string address = request.host + ":" + std::to_string(request.port);

    PasswordSource source = findPassword(invocation, io, address);
    if (!source.password) {
        return fail(io, source.error);
    }
    if (source.password->empty()) {
        return fail(io, "the admin password is empty");
    }
    // The password travels as the rest of one line (protocol.md §1).
    if (source.password->find_first_of("\r\n") != std::string::npos) {
        return fail(io, "the admin password contains a line break, which SHT cannot carry");
    }
    request.password = std::move(*source.password);

    const ShutdownOutcome outcome = requestShutdown(request);
    const bool accepted = outcome.result == Result::Accepted;
    if (invocation.json) {
        auto notices = jsonArray();
        for (const std::string& notice : outcome.notices) {
            notices->add(notice);
        }
        auto document = jsonObject();
        document->set("host", request.host);
        document->set("port", static_cast<int>(request.port));
        document->set("result", std::string(resultName(outcome.result)));
        document->set("accepted", accepted);
        document->set("code", outcome.code);
        document->set("reply", outcome.reply);
        document->set("notices", notices);
        printJson(io.out, document);
        return accepted ? kExitOk : kExitFailure;
    }
    for (const std::string& notice : outcome.notices) {
        io.err << "dfp-admin: notice from " << address << ": " << forTerminal(notice) << "\n";
    }
    const std::string reply = forTerminal(outcome.reply);
    switch (outcome.result) {
        case Result::Accepted:
            io.out << address << " is shutting down (" << reply << ")\n";
            return kExitOk;
        case Result::Refused:
            return fail(io, address + " refused the shutdown: " + reply);
        case Result::NotReady:
            return fail(io, address + " is not taking requests: " + reply);
        case Result::Unreachable:
            return fail(io, "cannot reach " + address + ": " + reply);
        case Result::Garbled:
            return fail(io, address + " does not speak DFP/1: " + reply);
        case Result::TlsFailed:
            return fail(io, "refusing " + address + ": " + reply);
    }
    return kExitFailure;
}

}  // namespace dfp::admin
