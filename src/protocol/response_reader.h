#pragma once

// The client side of DFP/1 framing (docs/protocol.md §2, §5): turns the bytes a server sends,
// in pieces of any size, into events. Knows from the code which responses carry a body:
// 210 and 215 a dot-stuffed line body, 211 a binary body of <size> (its first field) bytes.
// 6xx notices may come wherever a status line may come and are reported as Notice events.
// Not thread-safe: one per connection.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dfp::protocol {

struct ResponseEvent {
    enum class Kind {
        Status,      // a status line: code, text (the line after the code), fields (its tokens)
        BodyLine,    // one line of a line body, un-stuffed, in text
        BodyEnd,     // the "." that ends a line body
        BinaryData,  // some bytes of a binary body, in text (never more than asked for)
        BinaryEnd,   // the binary body is complete
        Notice,      // a 6xx line: code, text
        Malformed,   // a line that is not a response; text holds it. The stream is not to be
                     // trusted.
    };
    Kind kind = Kind::Malformed;
    int code = 0;
    std::string text;
    std::vector<std::string> fields;  // Status/Notice: the space-separated tokens after the code
};

class ResponseReader {
public:
    explicit ResponseReader(std::size_t maxLine = 1 << 20);

    void feed(std::string_view bytes);

    // The next event, or nullopt when more bytes are needed. BinaryData events carry at most
    // maxChunk bytes each.
    std::optional<ResponseEvent> next(std::size_t maxChunk = 1 << 16);
    // The same, written over `event` (false when more bytes are needed, and then `event` is
    // unchanged). Its strings keep their storage from one event to the next, so a caller
    // that reuses one event reads a long body without an allocation per line.
    bool next(ResponseEvent& event, std::size_t maxChunk = 1 << 16);

    bool inBody() const;  // between a 210/211/215 status and its end
    std::size_t buffered() const { return buffer_.size() - offset_; }

private:
    enum class State { Status, LineBody, BinaryBody };
    // The next line without its LF, viewing buffer_ (valid until buffer_ changes).
    std::optional<std::string_view> takeLine();

    std::size_t maxLine_;
    std::string buffer_;
    std::size_t offset_ = 0;
    std::size_t scanned_ = 0;  // bytes after offset_ known to hold no LF
    bool discarding_ = false;  // dropping the rest of an overlong line, up to its LF
    State state_ = State::Status;
    unsigned long long binaryLeft_ = 0;
};

}  // namespace dfp::protocol
