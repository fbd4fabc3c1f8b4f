#pragma once

// Tab completion at the prompt (docs/client.md), the pure part: given the line up to the
// word being completed, what may complete it. Verbs come from the command table; thread
// titles and file names from what the session has seen (the last LST, RDT...); after
// `UPD <title> ` local file names, which the line editor itself lists.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dfp::client {

struct Completion {
    enum class Kind {
        Words,       // candidates holds the matches
        LocalFiles,  // complete a path on the local file system
    };
    Kind kind = Kind::Words;
    std::vector<std::string> candidates;
};

struct CompletionSource {
    std::function<std::vector<std::string>()> titles;
    std::function<std::vector<std::string>(const std::string& title)> files;
};

// before: the line up to where the word starts; word: the part of it typed so far.
Completion complete(std::string_view before, std::string_view word, const CompletionSource& source);

}  // namespace dfp::client
