#pragma once

// Where a download may be written (docs/client.md). A name that comes back from the server is
// only ever used as one path component inside the output directory: whatever a server sends,
// the client never writes outside that directory.

#include <optional>
#include <string>
#include <string_view>

namespace dfp::client {

// Empty when name is safe as a single file name in the output directory; otherwise why not.
// Refused: empty, ".", "..", any '/', any NUL, and a leading '.' (hidden files, and the
// names the client uses for its partial downloads).
std::optional<std::string> checkOutputName(std::string_view name);

}  // namespace dfp::client
