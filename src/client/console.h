#pragma once

// Where the client's words go (docs/client.md): results on stdout, refusals and notices on
// stderr, so a script can tell them apart; colour only when asked for and on a terminal.
// Flushes after every message, so output interleaves correctly with a script's own.

#include <string>
#include <vector>

namespace dfp::client {

class Console {
public:
    explicit Console(bool color) : color_(color) {}

    void result(const std::vector<std::string>& lines) const;
    void result(const std::string& line) const { result(std::vector<std::string>{line}); }
    void refusal(const std::string& text) const;
    void notice(const std::string& text) const;

private:
    bool color_;
};

}  // namespace dfp::client
