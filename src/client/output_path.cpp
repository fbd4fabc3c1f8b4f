#include "client/output_path.h"

namespace dfp::client {

std::optional<std::string> checkOutputName(std::string_view name) {
    if (name.empty()) {
        return "the file name is empty";
    }
    if (name == "." || name == "..") {
        return "'" + std::string(name) + "' is not a file name";
    }
    if (name.find('/') != std::string_view::npos) {
        return "the file name contains '/'";
    }
    if (name.find('\0') != std::string_view::npos) {
        return "the file name contains a NUL byte";
    }
    // protocol.md §4 forbids a leading '.' in file names anyway; refusing it here also keeps
    // a download from landing on one of the client's own ".name.dfp-part-..." temp files.
    if (name.front() == '.') {
        return "the file name starts with '.'";
    }
    return std::nullopt;
}

}  // namespace dfp::client
