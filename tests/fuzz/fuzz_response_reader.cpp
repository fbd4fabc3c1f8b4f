// Fuzzes the client's protocol::ResponseReader (protocol.md §2, §5): the server's bytes fed
// once whole and once in pieces chosen by the input must give the same events.
//
// Invariants: the same events either way, adjacent BinaryData joined (how a body is cut
// depends on how it arrived, its content does not) and a Malformed overlong line compared by
// prefix (fed in pieces the reader reports its first maxLine bytes before the rest arrives;
// fed whole it sees the whole line); a binary body delivers exactly its announced size, in
// chunks of at most maxChunk; body lines hold no LF; notices are 6xx and statuses are not;
// after next() runs dry outside a binary body fewer than maxLine bytes are held.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "protocol/request.h"
#include "protocol/response_reader.h"

namespace {

using dfp::fuzz::FuzzInput;
using dfp::protocol::ResponseEvent;
using dfp::protocol::ResponseReader;
using Kind = ResponseEvent::Kind;

struct Event {
    Kind kind;
    int code;
    std::string text;
    std::vector<std::string> fields;
};

class Collector {
public:
    Collector(std::size_t maxLine, std::size_t maxChunk) : maxLine_(maxLine), maxChunk_(maxChunk) {}

    void drain(ResponseReader& reader) {
        while (std::optional<ResponseEvent> event = reader.next(maxChunk_)) {
            check(*event);
            if (event->kind == Kind::BinaryData && !events_.empty() &&
                events_.back().kind == Kind::BinaryData) {
                events_.back().text += event->text;
                continue;
            }
            events_.push_back(
                Event{event->kind, event->code, std::move(event->text), std::move(event->fields)});
        }
        if (!inBinary_) {
            DFP_FUZZ_CHECK(reader.buffered() < maxLine_,
                           std::to_string(reader.buffered()) + " bytes held");
        } else {
            DFP_FUZZ_CHECK(reader.buffered() == 0, "binary bytes held back");
        }
    }

    const std::vector<Event>& events() const { return events_; }

private:
    void check(const ResponseEvent& event) {
        switch (event.kind) {
            case Kind::Status: {
                DFP_FUZZ_CHECK(
                    event.code >= 0 && event.code <= 999 && (event.code < 600 || event.code > 699),
                    std::to_string(event.code));
                if (event.code == 211) {
                    inBinary_ = true;
                    binaryLeft_ = dfp::protocol::parseSize(event.fields.at(0)).value();
                }
                break;
            }
            case Kind::Notice:
                DFP_FUZZ_CHECK(event.code >= 600 && event.code <= 699, std::to_string(event.code));
                break;
            case Kind::BodyLine:
                DFP_FUZZ_CHECK(event.text.find('\n') == std::string::npos, "LF in a body line");
                break;
            case Kind::BinaryData:
                DFP_FUZZ_CHECK(inBinary_ && !event.text.empty() &&
                                   event.text.size() <= std::max<std::size_t>(maxChunk_, 1) &&
                                   event.text.size() <= binaryLeft_,
                               "binary chunk of " + std::to_string(event.text.size()));
                binaryLeft_ -= event.text.size();
                break;
            case Kind::BinaryEnd:
                DFP_FUZZ_CHECK(inBinary_ && binaryLeft_ == 0, "binary body ended early");
                inBinary_ = false;
                break;
            case Kind::BodyEnd:
            case Kind::Malformed:
                break;
        }
    }

    std::size_t maxLine_;
    std::size_t maxChunk_;
    std::vector<Event> events_;
    bool inBinary_ = false;
    unsigned long long binaryLeft_ = 0;
};

std::string show(const Event& event) {
    return std::to_string(static_cast<int>(event.kind)) + "/" + std::to_string(event.code) + "[" +
           event.text.substr(0, 60) + "]";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput input(data, size);
    const std::size_t maxLine = 4 + input.byte() % 200;
    const std::size_t maxChunk = input.byte() % 40;  // 0 means 1 (at least one byte)
    // The cuts: one byte per piece, its low 5 bits the length; then the stream itself.
    const std::size_t cutCount = input.byte() % 32;
    std::vector<std::size_t> cuts;
    for (std::size_t i = 0; i < cutCount; ++i) {
        cuts.push_back(input.byte() % 32);
    }
    const std::string_view stream = input.rest();

    ResponseReader whole(maxLine);
    Collector wholeEvents(maxLine, maxChunk);
    whole.feed(stream);
    wholeEvents.drain(whole);

    ResponseReader pieces(maxLine);
    Collector pieceEvents(maxLine, maxChunk);
    std::string_view left = stream;
    for (std::size_t i = 0; !left.empty(); ++i) {
        const std::size_t count =
            cuts.empty() ? 1 : std::max<std::size_t>(cuts[i % cuts.size()], 1);
        pieces.feed(left.substr(0, count));
        left.remove_prefix(std::min(count, left.size()));
        pieceEvents.drain(pieces);
    }

    const std::vector<Event>& a = wholeEvents.events();
    const std::vector<Event>& b = pieceEvents.events();
    DFP_FUZZ_CHECK(a.size() == b.size(), std::to_string(a.size()) + " events whole, " +
                                             std::to_string(b.size()) + " in pieces");
    for (std::size_t i = 0; i < a.size(); ++i) {
        DFP_FUZZ_CHECK(
            a[i].kind == b[i].kind && a[i].code == b[i].code && a[i].fields == b[i].fields,
            show(a[i]) + " vs " + show(b[i]));
        if (a[i].kind == Kind::Malformed) {
            const std::string& shorter =
                a[i].text.size() < b[i].text.size() ? a[i].text : b[i].text;
            const std::string& longer = a[i].text.size() < b[i].text.size() ? b[i].text : a[i].text;
            DFP_FUZZ_CHECK(longer.compare(0, shorter.size(), shorter) == 0,
                           show(a[i]) + " vs " + show(b[i]));
        } else {
            DFP_FUZZ_CHECK(a[i].text == b[i].text, show(a[i]) + " vs " + show(b[i]));
        }
    }
    return 0;
}
