#include "admin/secret_input.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

namespace dfp::admin {
namespace {

constexpr int kRestoringSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// The terminal settings to put back if a signal ends the program while echo is off. Only
// the signal handler below and EchoOff touch them, one prompt at a time.
struct termios gSavedTerminal;
volatile std::sig_atomic_t gEchoOff = 0;

extern "C" void restoreTerminalAndDie(int signal) {
    // Only async-signal-safe calls here: tcsetattr, signal, raise.
    if (gEchoOff != 0) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &gSavedTerminal);
    }
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

// Turns echo off on the terminal for its lifetime. ECHONL keeps the newline echoed, so the
// next output starts on a line of its own.
class EchoOff {
public:
    EchoOff() {
        if (::tcgetattr(STDIN_FILENO, &gSavedTerminal) != 0) {
            return;
        }
        struct sigaction action {};
        action.sa_handler = restoreTerminalAndDie;
        sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < std::size(kRestoringSignals); ++i) {
            ::sigaction(kRestoringSignals[i], &action, &previous_[i]);
        }
        struct termios quiet = gSavedTerminal;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        gEchoOff = 1;
        // TCSANOW, not TCSAFLUSH: what is typed as soon as the prompt shows must not be lost.
        active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
        if (!active_) {
            restoreHandlers();
        }
    }
    ~EchoOff() {
        if (active_) {
            ::tcsetattr(STDIN_FILENO, TCSANOW, &gSavedTerminal);
            restoreHandlers();
        }
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    void restoreHandlers() {
        gEchoOff = 0;
        for (std::size_t i = 0; i < std::size(kRestoringSignals); ++i) {
            ::sigaction(kRestoringSignals[i], &previous_[i], nullptr);
        }
    }

    bool active_ = false;
    struct sigaction previous_[std::size(kRestoringSignals)]{};
};

}  // namespace

std::string withoutLineEnd(std::string text) {
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
        if (!text.empty() && text.back() == '\r') {
            text.pop_back();
        }
    }
    return text;
}

StdinSecretInput::StdinSecretInput() : terminal_(::isatty(STDIN_FILENO) == 1) {}

std::optional<std::string> StdinSecretInput::read(std::string_view prompt) {
    std::string line;
    if (terminal_) {
        // Echo goes off before the prompt shows, so nothing typed after it is echoed.
        EchoOff quiet;
        std::cerr << prompt << std::flush;
        if (!std::getline(std::cin, line)) {
            return std::nullopt;
        }
    } else if (!std::getline(std::cin, line)) {
        return std::nullopt;
    }
    // getline dropped the LF; a CR before it belongs to the line end too.
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    return line;
}

}  // namespace dfp::admin
