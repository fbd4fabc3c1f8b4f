#pragma once

// A raw DFP/1 connection for integration tests: sends exactly the bytes a test asks for and
// reads the server's answers line by line, with its own small framing code so that the tests do
// not depend on src/protocol being right.
//
// Every read and write waits at most `timeout` (10 s unless told otherwise) for progress; when
// it passes, or the server closes or sends something malformed, the call throws ClientError
// with what was expected and what arrived. Exceptions, not Boost.Test assertions, so clients
// can run on worker threads; in a test case an uncaught ClientError fails the case with its
// message. Movable, not copyable; one thread at a time.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dfp::test {

class ClientError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One response line: `CODE SP rest-of-line` (protocol.md §2).
struct Response {
    int code = 0;
    std::string line;  // the whole line, without its LF

    // Space-separated token `index` of the line (0 is the code, 1 the first field...), or ""
    // if the line has fewer tokens.
    std::string field(std::size_t index) const;
    std::vector<std::string> tokens() const;
    bool isNotice() const { return code >= 600 && code <= 699; }
};

std::ostream& operator<<(std::ostream& out, const Response& response);

// The lines of a body, comparable and printable, so that a failed check shows both sides
// (server_fixture.h turns off Boost.Test's element-wise comparison, which prints nothing).
struct Lines : std::vector<std::string> {
    using std::vector<std::string>::vector;
};

std::ostream& operator<<(std::ostream& out, const Lines& lines);

// Bytes as a quoted C-like string, control bytes escaped, long ones cut.
std::string printable(std::string_view bytes);

class LineClient {
public:
    static constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

    // Connects to 127.0.0.1:port. Does not read the greeting.
    explicit LineClient(std::uint16_t port, std::chrono::milliseconds timeout = kDefaultTimeout,
                        std::string name = "client");
    ~LineClient();
    LineClient(LineClient&& other) noexcept;
    LineClient& operator=(LineClient&& other) noexcept;
    LineClient(const LineClient&) = delete;
    LineClient& operator=(const LineClient&) = delete;

    const std::string& name() const { return name_; }
    void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
    std::chrono::milliseconds timeout() const { return timeout_; }

    void sendRaw(std::string_view bytes);
    void sendLine(std::string_view line);  // appends LF
    // Sends bytes one write() at a time with Nagle off, so they leave as separate segments.
    void sendBytewise(std::string_view bytes);

    std::string readLine();  // one line without its LF (a CR before the LF is dropped)
    Response readStatus();   // a line that must look like `DDD` or `DDD text`
    Lines readBody();        // line body up to ".", un-stuffed (protocol.md §2)
    std::string readBytes(std::size_t count);
    // Streams `count` bytes to sink in pieces, for bodies too large to keep.
    void readBytes(std::uint64_t count, const std::function<void(std::string_view)>& sink);

    // The greeting `200 DFP/1 <server-name> ready`; throws unless it is a 200.
    Response readGreeting();
    // Sends a line and reads the status line answering it.
    Response request(std::string_view line);
    // As request(), but throws unless the code is expectedCode.
    Response expect(std::string_view line, int expectedCode);
    // USER then PASS; throws unless the answers are 331/332 and then 230/231.
    Response login(std::string_view user, std::string_view password);

    // Reads until the server closes. Each received line is checked against allowedNotices:
    // each listed code may arrive at most once (e.g. a 600 or 601 before the close); anything
    // else throws. Returns the lines received. A reset counts as closed.
    std::vector<std::string> expectClosed(std::vector<int> allowedNotices = {},
                                          std::optional<std::chrono::milliseconds> timeout = {});

    void close();  // closes the socket at once, even mid-transfer
    bool isOpen() const { return fd_ >= 0; }
    std::size_t buffered() const { return buffer_.size() - offset_; }

private:
    // Reads more bytes into buffer_. Returns false on EOF (or reset); throws on timeout.
    bool fill(std::chrono::steady_clock::time_point deadline, std::string_view waitingFor);
    std::string takeLine(std::string_view waitingFor);
    [[noreturn]] void fail(std::string_view what) const;
    void requireOpen() const;

    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::string name_;
    std::chrono::milliseconds timeout_;
    std::string buffer_;
    std::size_t offset_ = 0;
    bool eof_ = false;
};

}  // namespace dfp::test
