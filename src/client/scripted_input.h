#pragma once

// Lines from a non-terminal stdin (a pipe or a file), read with poll() alongside the server's
// socket and the interrupt pipe. A last line without its LF still counts; a CR before the LF
// is dropped. Prompts are not shown.

#include <string>

#include "client/line_input.h"

namespace dfp::client {

class ScriptedInput : public LineInput {
public:
    ScriptedInput(int inputFd, int socketFd, int interruptFd)
        : inputFd_(inputFd), socketFd_(socketFd), interruptFd_(interruptFd) {}

    InputEvent readLine(const std::string& prompt) override;
    InputEvent readSecret(const std::string& prompt) override { return readLine(prompt); }

private:
    int inputFd_;
    int socketFd_;
    int interruptFd_;
    std::string buffer_;
    bool ended_ = false;
};

}  // namespace dfp::client
