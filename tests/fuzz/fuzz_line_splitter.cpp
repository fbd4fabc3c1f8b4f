// Fuzzes protocol::LineSplitter (protocol.md §1) against a plain reference splitter that sees
// the whole stream at once. The input picks the line limit, then how the bytes are cut into
// feeds and how many raw bytes the caller takes after a line (as the server does after UPD).
//
// Invariants: the events are exactly the reference's; a Line never holds an LF; TooLong comes
// only for a line over the limit; after next() runs dry fewer than maxLine bytes are held;
// takeRaw() returns the very bytes that follow the line, and bufferedRaw() counts them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz/fuzz_input.h"
#include "protocol/line_splitter.h"

namespace {

using dfp::fuzz::FuzzInput;
using dfp::protocol::LineEvent;
using dfp::protocol::LineSplitter;

// The stream as the splitter should see it: bytes fed and not yet returned.
class ReferenceSplitter {
public:
    explicit ReferenceSplitter(std::size_t maxLine) : maxLine_(maxLine) {}
    void feed(std::string_view bytes) { pending_.append(bytes); }
    std::optional<LineEvent> next() {
        const std::size_t lf = pending_.find('\n');
        if (lf == std::string::npos) {
            return std::nullopt;
        }
        std::string line = pending_.substr(0, lf);
        pending_.erase(0, lf + 1);
        if (lf + 1 > maxLine_) {
            return LineEvent{LineEvent::Kind::TooLong, {}};
        }
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        return LineEvent{LineEvent::Kind::Line, std::move(line)};
    }
    std::string takeRaw(std::size_t max) {
        std::string bytes = pending_.substr(0, max);
        pending_.erase(0, bytes.size());
        return bytes;
    }
    std::size_t pending() const { return pending_.size(); }

private:
    std::size_t maxLine_;
    std::string pending_;
};

std::string show(const std::optional<LineEvent>& event) {
    if (!event) {
        return "none";
    }
    return event->kind == LineEvent::Kind::TooLong ? "TooLong" : "Line[" + event->text + "]";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput input(data, size);
    // Small limits reach the long-line paths with short inputs; now and then the default.
    const std::uint16_t limitChoice = input.u16();
    const std::size_t maxLine =
        limitChoice == 0xffff ? dfp::protocol::kDefaultMaxLine : 1 + limitChoice % 300;
    LineSplitter splitter(maxLine);
    ReferenceSplitter reference(maxLine);

    while (!input.done()) {
        // One control byte: the length of the next feed, and what to take raw after a line.
        const std::uint8_t control = input.byte();
        const std::string_view chunk = input.take(control & 0x3f);
        splitter.feed(chunk);
        reference.feed(chunk);
        for (;;) {
            const std::optional<LineEvent> event = splitter.next();
            const std::optional<LineEvent> expected = reference.next();
            if (!event) {
                DFP_FUZZ_CHECK(!expected, "reference has " + show(expected));
                DFP_FUZZ_CHECK(splitter.bufferedRaw() < maxLine,
                               std::to_string(splitter.bufferedRaw()) + " bytes held");
                break;
            }
            DFP_FUZZ_CHECK(expected.has_value(), "splitter gave " + show(event));
            DFP_FUZZ_CHECK(event->kind == expected->kind && event->text == expected->text,
                           show(event) + " vs " + show(expected));
            if (event->kind == LineEvent::Kind::TooLong) {
                DFP_FUZZ_CHECK(event->text.empty(), "TooLong carries text");
                continue;
            }
            DFP_FUZZ_CHECK(event->text.find('\n') == std::string::npos, "LF inside a line");
            DFP_FUZZ_CHECK(event->text.size() + 1 <= maxLine, "a line over the limit");
            // Right after a line (the only place the server takes raw bytes, after UPD's
            // 340), every byte not yet returned is buffered and comes out in order.
            if ((control & 0x40) != 0) {
                DFP_FUZZ_CHECK(splitter.bufferedRaw() == reference.pending(),
                               std::to_string(splitter.bufferedRaw()) + " buffered vs " +
                                   std::to_string(reference.pending()));
                const std::size_t max = input.byte();
                const std::string raw = splitter.takeRaw(max);
                DFP_FUZZ_CHECK(raw == reference.takeRaw(max), "takeRaw bytes differ");
                DFP_FUZZ_CHECK(splitter.bufferedRaw() == reference.pending(),
                               "bufferedRaw after takeRaw");
            }
        }
    }
    return 0;
}
