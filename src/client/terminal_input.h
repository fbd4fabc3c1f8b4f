#pragma once

// Lines from a terminal through libedit's readline interface (docs/client.md): line editing,
// history kept in a file, tab completion (completion.h). It uses the callback interface
// (rl_callback_read_char) inside a poll() loop over stdin, the server's socket and the
// interrupt pipe, so that the client notices a 600 while the user is typing and Ctrl-C only
// clears the line. Passwords are read with echo off (termios), not through libedit.
//
// libedit keeps its state in globals, so there is at most one TerminalInput at a time. The
// destructor saves the history and leaves the terminal as it found it.

#include <string>

#include "client/completion.h"
#include "client/line_input.h"

namespace dfp::client {

class TerminalInput : public LineInput {
public:
    // historyPath empty: no history file.
    TerminalInput(int socketFd, int interruptFd, CompletionSource completion,
                  std::string historyPath);
    ~TerminalInput() override;
    TerminalInput(const TerminalInput&) = delete;
    TerminalInput& operator=(const TerminalInput&) = delete;

    InputEvent readLine(const std::string& prompt) override;
    InputEvent readSecret(const std::string& prompt) override;
    void remember(const std::string& line) override;
    void putPromptAway() override;

private:
    static void onLine(char* line);
    static char** attemptCompletion(const char* text, int start, int end);
    static char* nextCandidate(const char* text, int state);
    void removeHandler();

    int socketFd_;
    int interruptFd_;
    CompletionSource completion_;
    std::string historyPath_;
    bool installed_ = false;  // a prompt is on screen and libedit owns the terminal
    bool lineDone_ = false;
    bool lineEof_ = false;
    std::string line_;
};

// ~/.dfp_history, from $HOME (or the password database when HOME is unset); empty if neither.
std::string defaultHistoryPath();

}  // namespace dfp::client
