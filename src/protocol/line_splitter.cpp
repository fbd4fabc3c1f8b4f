#include "protocol/line_splitter.h"

#include <algorithm>

namespace dfp::protocol {

LineSplitter::LineSplitter(std::size_t maxLine) : maxLine_(maxLine) {}

void LineSplitter::feed(std::string_view bytes) {
    if (discarding_ && head_ == buffer_.size()) {
        // The rest of an oversized line is dropped as it arrives, so a peer that never sends
        // an LF cannot make us hold more than maxLine (protocol.md §1: 414, session goes on).
        // The LF itself is kept: next() consumes it and reports TooLong in its place in order.
        // Once it is buffered, later bytes belong to the following lines and are kept.
        const std::size_t lf = bytes.find('\n');
        if (lf == std::string_view::npos) {
            return;
        }
        bytes.remove_prefix(lf);
    }
    // Returned lines only advance head_; the consumed prefix is dropped here, once it is at
    // least as long as what remains, so the copying stays proportional to the bytes fed.
    if (head_ == buffer_.size()) {
        buffer_.clear();
        head_ = 0;
    } else if (head_ > 0 && head_ >= buffer_.size() - head_) {
        buffer_.erase(0, head_);
        head_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<LineEvent> LineSplitter::next() {
    const std::size_t from = head_ + scanned_;
    const std::size_t lf = buffer_.find('\n', from);

    if (discarding_) {
        if (lf == std::string::npos) {
            buffer_.clear();
            head_ = 0;
            scanned_ = 0;
            return std::nullopt;
        }
        head_ = lf + 1;
        scanned_ = 0;
        discarding_ = false;
        return LineEvent{LineEvent::Kind::TooLong, {}};
    }

    if (lf == std::string::npos) {
        scanned_ = buffer_.size() - head_;
        // maxLine bytes without an LF means the line, once its LF comes, is at least one byte
        // over the limit: drop it now rather than buffer it.
        if (scanned_ >= maxLine_) {
            buffer_.clear();
            head_ = 0;
            scanned_ = 0;
            discarding_ = true;
        }
        return std::nullopt;
    }

    const std::size_t lineLength = lf + 1 - head_;  // including the LF
    const std::size_t start = head_;
    head_ = lf + 1;
    scanned_ = 0;
    if (lineLength > maxLine_) {
        return LineEvent{LineEvent::Kind::TooLong, {}};
    }
    std::size_t end = lf;
    // Exactly one CR right before the LF is framing (protocol.md §1); any other CR is text and
    // is left for the validators to judge.
    if (end > start && buffer_[end - 1] == '\r') {
        --end;
    }
    return LineEvent{LineEvent::Kind::Line, buffer_.substr(start, end - start)};
}

std::size_t LineSplitter::bufferedRaw() const {
    return buffer_.size() - head_;
}

std::string LineSplitter::takeRaw(std::size_t max) {
    const std::size_t count = std::min(max, bufferedRaw());
    std::string bytes = buffer_.substr(head_, count);
    head_ += count;
    // What is left of the scanned prefix still holds no LF.
    scanned_ = scanned_ > count ? scanned_ - count : 0;
    return bytes;
}

}  // namespace dfp::protocol
