#pragma once

// Where dfp-admin reads passwords: from a terminal without echo, or as lines from a pipe.

#include <optional>
#include <string>
#include <string_view>

namespace dfp::admin {

class SecretInput {
public:
    virtual ~SecretInput() = default;

    // True when secrets are typed on a terminal: they are prompted for and not echoed, and
    // a new one is asked for twice.
    virtual bool fromTerminal() const = 0;

    // One secret without its line end (LF or CRLF), or nullopt at the end of the input. On a
    // terminal, prompt is shown on stderr first.
    virtual std::optional<std::string> read(std::string_view prompt) = 0;

protected:
    SecretInput() = default;
    SecretInput(const SecretInput&) = delete;
    SecretInput& operator=(const SecretInput&) = delete;
};

// Standard input: a terminal (isatty) is read with echo off (termios; echo comes back even
// if a signal ends the program meanwhile); anything else line by line.
class StdinSecretInput final : public SecretInput {
public:
    StdinSecretInput();
    bool fromTerminal() const override { return terminal_; }
    std::optional<std::string> read(std::string_view prompt) override;

private:
    bool terminal_;
};

// Strips one trailing LF or CRLF, as from a line or a password file (protocol.md §5).
std::string withoutLineEnd(std::string text);

}  // namespace dfp::admin
