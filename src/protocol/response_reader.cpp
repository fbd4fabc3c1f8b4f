#include "protocol/response_reader.h"

#include <algorithm>
#include <utility>

#include "protocol/request.h"

namespace dfp::protocol {
namespace {

constexpr int kLineBodyEntries = 210;
constexpr int kBinaryBody = 211;
constexpr int kLineBodyListing = 215;

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// Writes an event over `event`, reusing the storage its strings already have.
bool emit(ResponseEvent& event, ResponseEvent::Kind kind, std::string_view text = {},
          int code = 0) {
    event.kind = kind;
    event.code = code;
    event.text.assign(text);
    event.fields.clear();
    return true;
}

}  // namespace

ResponseReader::ResponseReader(std::size_t maxLine) : maxLine_(maxLine) {}

void ResponseReader::feed(std::string_view bytes) {
    if (discarding_ && offset_ == buffer_.size()) {
        // Rest of an overlong line: drop it as it arrives, keeping its LF and what follows.
        const std::size_t lf = bytes.find('\n');
        if (lf == std::string_view::npos) {
            return;
        }
        bytes.remove_prefix(lf);
    }
    // Consumed bytes only advance offset_; drop them once they outweigh what is left, so the
    // copying stays proportional to the bytes fed.
    if (offset_ == buffer_.size()) {
        buffer_.clear();
        offset_ = 0;
    } else if (offset_ > 0 && offset_ >= buffer_.size() - offset_) {
        buffer_.erase(0, offset_);
        offset_ = 0;
    }
    buffer_.append(bytes);
}

bool ResponseReader::inBody() const {
    return state_ != State::Status;
}

std::optional<std::string_view> ResponseReader::takeLine() {
    const std::size_t lf = buffer_.find('\n', offset_ + scanned_);
    if (lf == std::string::npos) {
        scanned_ = buffered();
        return std::nullopt;
    }
    const std::string_view line = std::string_view(buffer_).substr(offset_, lf - offset_);
    offset_ = lf + 1;
    scanned_ = 0;
    return line;
}

std::optional<ResponseEvent> ResponseReader::next(std::size_t maxChunk) {
    ResponseEvent event;
    if (!next(event, maxChunk)) {
        return std::nullopt;
    }
    return event;
}

bool ResponseReader::next(ResponseEvent& event, std::size_t maxChunk) {
    using Kind = ResponseEvent::Kind;
    if (discarding_) {
        const std::size_t lf = buffer_.find('\n', offset_);
        if (lf == std::string::npos) {
            buffer_.clear();
            offset_ = 0;
            scanned_ = 0;
            return false;
        }
        offset_ = lf + 1;
        scanned_ = 0;
        discarding_ = false;
    }

    if (state_ == State::BinaryBody) {
        if (binaryLeft_ == 0) {
            state_ = State::Status;
            return emit(event, Kind::BinaryEnd);
        }
        const std::size_t count = static_cast<std::size_t>(std::min<unsigned long long>(
            {binaryLeft_, buffered(), std::max<std::size_t>(maxChunk, 1)}));
        if (count == 0) {
            return false;
        }
        emit(event, Kind::BinaryData, std::string_view(buffer_).substr(offset_, count));
        offset_ += count;
        scanned_ = 0;
        binaryLeft_ -= count;
        return true;
    }

    std::optional<std::string_view> taken = takeLine();
    if (!taken) {
        if (buffered() >= maxLine_) {
            // maxLine bytes and no LF: whatever this is, it is not a line we accept. Report a
            // bounded prefix and drop the rest up to its LF.
            emit(event, Kind::Malformed, std::string_view(buffer_).substr(offset_, maxLine_));
            buffer_.clear();
            offset_ = 0;
            scanned_ = 0;
            discarding_ = true;
            state_ = State::Status;
            return true;
        }
        return false;
    }
    std::string_view line = *taken;
    if (line.size() + 1 > maxLine_) {
        state_ = State::Status;
        return emit(event, Kind::Malformed, line);
    }
    // A CR before the LF is tolerated (protocol.md §1); formatBodyLine never sends one as text.
    if (line.ends_with('\r')) {
        line.remove_suffix(1);
    }

    if (state_ == State::LineBody) {
        if (line == ".") {
            state_ = State::Status;
            return emit(event, Kind::BodyEnd);
        }
        // Un-stuffing (protocol.md §2): the sender put one extra '.' before any leading '.'.
        if (line.starts_with('.')) {
            line.remove_prefix(1);
        }
        return emit(event, Kind::BodyLine, line);
    }

    // A status line: three digits, then a space and the rest, or nothing.
    const bool wellFormed = line.size() >= 3 && isDigit(line[0]) && isDigit(line[1]) &&
                            isDigit(line[2]) && (line.size() == 3 || line[3] == ' ');
    if (!wellFormed) {
        return emit(event, Kind::Malformed, line);
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    const std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
    // Notices come only where a status line may (protocol.md §5); a body never holds one,
    // which the states above ensure.
    const bool notice = code >= 600 && code <= 699;
    emit(event, notice ? Kind::Notice : Kind::Status, text, code);
    splitOnSpaces(text, event.fields);
    if (notice) {
        return true;
    }
    if (code == kBinaryBody) {
        // Without a usable size there is no telling where the body ends.
        const std::optional<unsigned long long> size =
            event.fields.empty() ? std::nullopt : parseSize(event.fields.front());
        if (!size) {
            return emit(event, Kind::Malformed, line);
        }
        binaryLeft_ = *size;
        state_ = State::BinaryBody;
    } else if (code == kLineBodyEntries || code == kLineBodyListing) {
        state_ = State::LineBody;
    }
    return true;
}

}  // namespace dfp::protocol
