#pragma once

// Where the client's lines come from: the terminal (terminal_input.h) or a script on stdin
// (scripted_input.h). Every wait also watches the server's socket and the interrupt pipe, so
// that a notice arriving while the user sits at the prompt is seen at once (protocol.md §5)
// and Ctrl-C is never lost.

#include <string>

namespace dfp::client {

struct InputEvent {
    enum class Kind {
        Line,            // text holds the line, without its LF
        End,             // end of input: Ctrl-D, or the end of the script
        ServerActivity,  // the socket is readable; the line being typed is kept
        Interrupt,       // Ctrl-C where it is not just clearing the line
    };
    Kind kind = Kind::End;
    std::string text;
};

class LineInput {
public:
    virtual ~LineInput() = default;
    virtual InputEvent readLine(const std::string& prompt) = 0;
    // A password: no echo at a terminal; in a script, just the next line.
    virtual InputEvent readSecret(const std::string& prompt) = 0;
    // Adds a line to the history (terminal only).
    virtual void remember(const std::string& /*line*/) {}
    // Something is about to be printed while a prompt may be on screen: put it away.
    virtual void putPromptAway() {}
};

}  // namespace dfp::client
