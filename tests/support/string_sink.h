#pragma once

// A ReplySink that collects what a session writes, for tests that drive a Session (or part of
// its reply path) without a socket.

#include <string>
#include <string_view>
#include <utility>

#include "server/session.h"

namespace dfp::test {

class StringSink : public server::ReplySink {
public:
    void write(std::string_view bytes) override { bytes_.append(bytes); }
    // What was written since the last take().
    std::string take() { return std::exchange(bytes_, {}); }

private:
    std::string bytes_;
};

}  // namespace dfp::test
