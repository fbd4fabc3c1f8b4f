#include "support/line_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

namespace dfp::test {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 64 * 1024;
// Quoting more than this of the received bytes in an error message does not help anyone.
constexpr std::size_t kQuoteLimit = 300;

std::string errnoText(int error) {
    return std::error_code(error, std::generic_category()).message();
}

}  // namespace

std::string printable(std::string_view bytes) {
    std::string out = "\"";
    const std::size_t shown = std::min(bytes.size(), kQuoteLimit);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto byte = static_cast<unsigned char>(bytes[i]);
        if (byte == '\n') {
            out += "\\n";
        } else if (byte == '\r') {
            out += "\\r";
        } else if (byte == '\\' || byte == '"') {
            out += '\\';
            out += static_cast<char>(byte);
        } else if (byte < 0x20 || byte == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        } else {
            out += static_cast<char>(byte);
        }
    }
    out += '"';
    if (bytes.size() > shown) {
        out += "... (" + std::to_string(bytes.size()) + " bytes)";
    }
    return out;
}

namespace {

int remainingMs(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

bool isStatusLine(std::string_view line) {
    if (line.size() < 3) {
        return false;
    }
    for (std::size_t i = 0; i < 3; ++i) {
        if (line[i] < '0' || line[i] > '9') {
            return false;
        }
    }
    return line.size() == 3 || line[3] == ' ';
}

}  // namespace

std::string Response::field(std::size_t index) const {
    const std::vector<std::string> all = tokens();
    return index < all.size() ? all[index] : std::string();
}

std::vector<std::string> Response::tokens() const {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < line.size()) {
        const std::size_t start = line.find_first_not_of(' ', at);
        if (start == std::string::npos) {
            break;
        }
        const std::size_t end = std::min(line.find(' ', start), line.size());
        out.push_back(line.substr(start, end - start));
        at = end;
    }
    return out;
}

std::ostream& operator<<(std::ostream& out, const Response& response) {
    return out << printable(response.line);
}

std::ostream& operator<<(std::ostream& out, const Lines& lines) {
    constexpr std::size_t kShown = 20;
    out << lines.size() << " lines {";
    for (std::size_t i = 0; i < lines.size() && i < kShown; ++i) {
        out << (i == 0 ? "" : ", ") << printable(lines[i]);
    }
    return out << (lines.size() > kShown ? ", ...}" : "}");
}

LineClient::LineClient(std::uint16_t port, std::chrono::milliseconds timeout, std::string name)
    : port_(port), name_(std::move(name)), timeout_(timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) {
        fail("socket(): " + errnoText(errno));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        if (errno != EINPROGRESS) {
            const int error = errno;
            close();
            fail("connect(): " + errnoText(error));
        }
        const auto deadline = Clock::now() + timeout_;
        pollfd pfd{fd_, POLLOUT, 0};
        int ready;
        do {
            ready = ::poll(&pfd, 1, remainingMs(deadline));
        } while (ready < 0 && errno == EINTR);
        if (ready == 0) {
            close();
            fail("connect(): no answer within " + std::to_string(timeout_.count()) + " ms");
        }
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            close();
            fail("connect(): " + errnoText(error));
        }
    }
}

LineClient::~LineClient() {
    close();
}

LineClient::LineClient(LineClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      port_(other.port_),
      name_(std::move(other.name_)),
      timeout_(other.timeout_),
      buffer_(std::move(other.buffer_)),
      offset_(std::exchange(other.offset_, 0)),
      eof_(other.eof_) {}

LineClient& LineClient::operator=(LineClient&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        port_ = other.port_;
        name_ = std::move(other.name_);
        timeout_ = other.timeout_;
        buffer_ = std::move(other.buffer_);
        offset_ = std::exchange(other.offset_, 0);
        eof_ = other.eof_;
    }
    return *this;
}

void LineClient::close() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void LineClient::fail(std::string_view what) const {
    throw ClientError(name_ + " (127.0.0.1:" + std::to_string(port_) + "): " + std::string(what));
}

void LineClient::requireOpen() const {
    if (fd_ < 0) {
        fail("the connection is already closed by the test");
    }
}

void LineClient::sendRaw(std::string_view bytes) {
    requireOpen();
    auto deadline = Clock::now() + timeout_;
    while (!bytes.empty()) {
        const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(sent));
            deadline = Clock::now() + timeout_;  // the deadline is for progress
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            fail("sending " + std::to_string(bytes.size()) +
                 " more bytes failed: " + errnoText(errno) + " (the server closed?)");
        }
        pollfd pfd{fd_, POLLOUT, 0};
        const int ready = ::poll(&pfd, 1, remainingMs(deadline));
        if (ready == 0) {
            fail("the server accepted no bytes for " + std::to_string(timeout_.count()) +
                 " ms while " + std::to_string(bytes.size()) + " remained to send");
        }
    }
}

void LineClient::sendLine(std::string_view line) {
    std::string bytes(line);
    bytes += '\n';
    sendRaw(bytes);
}

void LineClient::sendBytewise(std::string_view bytes) {
    requireOpen();
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (char byte : bytes) {
        sendRaw(std::string_view(&byte, 1));
    }
}

bool LineClient::fill(Clock::time_point deadline, std::string_view waitingFor) {
    requireOpen();
    if (eof_) {
        return false;
    }
    if (offset_ > 0 && offset_ == buffer_.size()) {
        buffer_.clear();
        offset_ = 0;
    } else if (offset_ > kReadChunk * 16) {
        buffer_.erase(0, offset_);
        offset_ = 0;
    }
    char chunk[kReadChunk];
    for (;;) {
        const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
        if (got > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(got));
            return true;
        }
        if (got == 0) {
            eof_ = true;
            return false;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == ECONNRESET) {
            eof_ = true;
            return false;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            fail("recv(): " + errnoText(errno) + " while waiting for " + std::string(waitingFor));
        }
        pollfd pfd{fd_, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, remainingMs(deadline));
        if (ready == 0) {
            fail("timed out after " + std::to_string(timeout_.count()) + " ms waiting for " +
                 std::string(waitingFor) +
                 "; unread bytes: " + printable(std::string_view(buffer_).substr(offset_)));
        }
    }
}

std::string LineClient::takeLine(std::string_view waitingFor) {
    const auto deadline = Clock::now() + timeout_;
    std::size_t scanned = offset_;
    for (;;) {
        const std::size_t lf = buffer_.find('\n', scanned);
        if (lf != std::string::npos) {
            std::string line = buffer_.substr(offset_, lf - offset_);
            offset_ = lf + 1;
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            return line;
        }
        scanned = buffer_.size() - offset_;
        if (!fill(deadline, waitingFor)) {
            fail("the server closed the connection while the test waited for " +
                 std::string(waitingFor) +
                 "; unread bytes: " + printable(std::string_view(buffer_).substr(offset_)));
        }
        scanned += offset_;  // fill() may have compacted the buffer
    }
}

std::string LineClient::readLine() {
    return takeLine("a line");
}

Response LineClient::readStatus() {
    std::string line = takeLine("a status line");
    if (!isStatusLine(line)) {
        fail("expected a status line `DDD text`, got " + printable(line));
    }
    Response response;
    response.code = std::stoi(line.substr(0, 3));
    response.line = std::move(line);
    return response;
}

Lines LineClient::readBody() {
    Lines lines;
    for (;;) {
        std::string line = takeLine("a body line (or the closing \".\")");
        if (line == ".") {
            return lines;
        }
        if (!line.empty() && line.front() == '.') {
            // protocol.md §2: a body line beginning with "." gets one more in front, so an
            // unstuffed one here means the server forgot, and the stream cannot be trusted.
            if (line.size() < 2 || line[1] != '.') {
                fail("body line " + printable(line) + " begins with \".\" but is not dot-stuffed");
            }
            line.erase(0, 1);
        }
        lines.push_back(std::move(line));
    }
}

void LineClient::readBytes(std::uint64_t count, const std::function<void(std::string_view)>& sink) {
    std::uint64_t left = count;
    while (left > 0) {
        if (offset_ == buffer_.size()) {
            const std::string waitingFor = std::to_string(left) + " more of " +
                                           std::to_string(count) + " bytes of a binary body";
            if (!fill(Clock::now() + timeout_, waitingFor)) {
                fail("the server closed the connection with " + waitingFor + " still to come");
            }
        }
        const std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer_.size() - offset_));
        sink(std::string_view(buffer_).substr(offset_, take));
        offset_ += take;
        left -= take;
    }
}

std::string LineClient::readBytes(std::size_t count) {
    std::string out;
    out.reserve(count);
    readBytes(static_cast<std::uint64_t>(count), [&](std::string_view piece) { out += piece; });
    return out;
}

Response LineClient::readGreeting() {
    Response greeting = readStatus();
    if (greeting.code != 200) {
        fail("expected the greeting `200 DFP/1 <server-name> ready`, got " +
             printable(greeting.line));
    }
    return greeting;
}

Response LineClient::request(std::string_view line) {
    sendLine(line);
    return readStatus();
}

Response LineClient::expect(std::string_view line, int expectedCode) {
    Response response = request(line);
    if (response.code != expectedCode) {
        fail("sent " + printable(line) + ", expected " + std::to_string(expectedCode) + ", got " +
             printable(response.line));
    }
    return response;
}

Response LineClient::login(std::string_view user, std::string_view password) {
    const Response asked = request("USER " + std::string(user));
    if (asked.code != 331 && asked.code != 332) {
        fail("USER " + std::string(user) + ": expected 331 or 332, got " + printable(asked.line));
    }
    const Response done = request("PASS " + std::string(password));
    if (done.code != 230 && done.code != 231) {
        fail("PASS for " + std::string(user) + ": expected 230 or 231, got " +
             printable(done.line));
    }
    return done;
}

std::vector<std::string> LineClient::expectClosed(
    std::vector<int> allowedNotices, std::optional<std::chrono::milliseconds> timeout) {
    const auto deadline = Clock::now() + timeout.value_or(timeout_);
    std::vector<std::string> received;
    for (;;) {
        // Judge every complete line that has arrived, then wait for more or for the end.
        for (std::size_t lf = buffer_.find('\n', offset_); lf != std::string::npos;
             lf = buffer_.find('\n', offset_)) {
            std::string line = buffer_.substr(offset_, lf - offset_);
            offset_ = lf + 1;
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            const auto allowed = isStatusLine(line)
                                     ? std::find(allowedNotices.begin(), allowedNotices.end(),
                                                 std::stoi(line.substr(0, 3)))
                                     : allowedNotices.end();
            if (allowed == allowedNotices.end()) {
                fail("expected the server to close the connection, but it sent " + printable(line));
            }
            allowedNotices.erase(allowed);
            received.push_back(std::move(line));
        }
        if (!fill(deadline, "the server to close the connection")) {
            if (offset_ != buffer_.size()) {
                fail("the server closed after an incomplete line " +
                     printable(std::string_view(buffer_).substr(offset_)));
            }
            return received;
        }
    }
}

}  // namespace dfp::test
