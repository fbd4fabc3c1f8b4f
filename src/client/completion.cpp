#include "client/completion.h"

#include <algorithm>

#include "protocol/commands.h"
#include "protocol/request.h"

namespace dfp::client {
namespace {

using protocol::Verb;

char lowerAscii(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) {
    if (prefix.size() > text.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (lowerAscii(text[i]) != lowerAscii(prefix[i])) {
            return false;
        }
    }
    return true;
}

std::vector<std::string> matching(const std::vector<std::string>& words, std::string_view prefix) {
    std::vector<std::string> out;
    for (const std::string& word : words) {
        if (word.starts_with(prefix)) {
            out.push_back(word);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::string> verbs(std::string_view typed) {
    // Whoever starts a verb in lower case gets it in lower case.
    const bool lower = !typed.empty() && std::all_of(typed.begin(), typed.end(),
                                                     [](char c) { return c < 'A' || c > 'Z'; });
    std::vector<std::string> out;
    for (const protocol::CommandSpec& spec : protocol::commands()) {
        if (spec.verb == Verb::User || spec.verb == Verb::Pass) {
            continue;  // logging in happens before the prompt
        }
        if (startsWithIgnoringCase(spec.name, typed)) {
            std::string name(spec.name);
            if (lower) {
                std::transform(name.begin(), name.end(), name.begin(), lowerAscii);
            }
            out.push_back(std::move(name));
        }
    }
    return out;
}

bool takesTitleFirst(Verb verb) {
    switch (verb) {
        case Verb::Msg:
        case Verb::Dlt:
        case Verb::Edt:
        case Verb::Rdt:
        case Verb::Upd:
        case Verb::Dwn:
        case Verb::Rmf:
        case Verb::Rmv:
            return true;
        default:
            return false;  // CRT names a new thread; the others take no title
    }
}

}  // namespace

Completion complete(std::string_view before, std::string_view word,
                    const CompletionSource& source) {
    const std::vector<std::string> done = protocol::splitOnSpaces(before);
    Completion completion;
    if (done.empty()) {
        completion.candidates = verbs(word);
        return completion;
    }
    const protocol::CommandSpec* spec = protocol::findCommand(done.front());
    if (spec == nullptr) {
        return completion;
    }
    if (done.size() == 1 && takesTitleFirst(spec->verb) && source.titles) {
        completion.candidates = matching(source.titles(), word);
    } else if (done.size() == 2 && spec->verb == Verb::Upd) {
        completion.kind = Completion::Kind::LocalFiles;
    } else if (done.size() == 2 && (spec->verb == Verb::Dwn || spec->verb == Verb::Rmf) &&
               source.files) {
        completion.candidates = matching(source.files(done[1]), word);
    } else if (done.size() == 3 && spec->verb == Verb::Dwn) {
        completion.candidates = matching({"--force"}, word);
    }
    return completion;
}

}  // namespace dfp::client
