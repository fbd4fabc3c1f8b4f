#pragma once

// The network half of `dfp-admin shutdown`: one DFP/1 connection that reads the greeting,
// sends SHT with the admin password and reads the answer (protocol.md §3, §5). 6xx notices
// may arrive before either status line; they are collected, not mistaken for the answer.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dfp::admin {

struct ShutdownRequest {
    std::string host = "127.0.0.1";
    std::uint16_t port = 58000;
    std::string password;  // without line end; must not contain CR or LF
    // For connecting and for each wait for the server; the whole exchange takes at most
    // about three times this.
    std::chrono::milliseconds timeout{10'000};
    // TLS (protocol.md §9), verified against the system's CAs or only those in caFile.
    bool tls = false;
    std::optional<std::string> caFile;
};

struct ShutdownOutcome {
    enum class Result {
        Accepted,     // 250: the server is shutting down
        Refused,      // an answer other than 250 to SHT (403 wrong password, 429...)
        NotReady,     // the greeting was not 200 (503 busy or already shutting down)
        Unreachable,  // no connection, a timeout, or the connection closed early
        Garbled,      // the server sent something that is not DFP/1
        TlsFailed,    // no TLS: an untrusted or misnamed certificate, or a plain server
    };
    Result result = Result::Unreachable;
    int code = 0;                      // the status code that decided, if any
    std::string reply;                 // that status line, or what went wrong
    std::vector<std::string> notices;  // 6xx lines received meanwhile, in order
};

// Never throws for what the network or the server does; the outcome says it.
ShutdownOutcome requestShutdown(const ShutdownRequest& request);

}  // namespace dfp::admin
