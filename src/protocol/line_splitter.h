#pragma once

// Incremental framing of DFP/1 request lines (docs/protocol.md §1). Bytes go in as they come
// off the socket, in pieces of any size; whole lines come out. Not thread-safe: one per
// connection.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dfp::protocol {

inline constexpr std::size_t kDefaultMaxLine = 8192;

struct LineEvent {
    enum class Kind {
        Line,     // text holds the line without its LF, and without a CR right before the LF
        TooLong,  // the line exceeded the limit; it was discarded up to and including its LF
    };
    Kind kind;
    std::string text;
};

class LineSplitter {
public:
    // maxLine counts the whole line including its LF (and CR, if any): a line of exactly
    // maxLine bytes is accepted, one byte more is TooLong.
    explicit LineSplitter(std::size_t maxLine = kDefaultMaxLine);

    void feed(std::string_view bytes);

    // The next complete line, or nullopt when more bytes are needed. A TooLong event is
    // produced once, when the LF that ends the oversized line arrives; memory held for an
    // oversized line never exceeds maxLine.
    std::optional<LineEvent> next();

    // Raw access for binary payloads that follow a request (UPD after 340): bytes already
    // received but not yet returned as lines. takeRaw removes up to max of them.
    std::size_t bufferedRaw() const;
    std::string takeRaw(std::size_t max);

private:
    std::size_t maxLine_;
    std::string buffer_;       // bytes not yet returned, from head_ on
    std::size_t head_ = 0;     // start of the unreturned bytes; compacted away in feed()
    std::size_t scanned_ = 0;  // bytes after head_ known to hold no LF
    bool discarding_ = false;  // inside an oversized line, dropping bytes until its LF
};

}  // namespace dfp::protocol
