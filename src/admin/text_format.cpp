#include "admin/text_format.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace dfp::admin {

std::string formatLocalTime(storage::UnixTime time) {
    const auto seconds = static_cast<time_t>(time);
    struct tm local {};
    if (::localtime_r(&seconds, &local) == nullptr) {
        return std::to_string(time);
    }
    std::array<char, 32> buffer{};
    const std::size_t length =
        std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d %H:%M:%S", &local);
    return std::string(buffer.data(), length);
}

std::string formatBytes(std::uint64_t bytes) {
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        return std::to_string(bytes) + " B";
    }
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(kUnits)) {
        value /= 1024;
        ++unit;
    }
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.1f %s", value, kUnits[unit]);
    return buffer.data();
}

std::string forTerminal(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7f) {
            out += ' ';
        } else if (byte == 0xc2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
            // U+0080..U+009F, the C1 controls, encoded as C2 80..C2 9F.
            out += ' ';
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::size_t displayWidth(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    }));
}

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

void TextTable::addRow(std::vector<std::string> cells) {
    if (cells.size() != columns_.size()) {
        throw std::logic_error("table row with " + std::to_string(cells.size()) + " cells for " +
                               std::to_string(columns_.size()) + " columns");
    }
    for (std::string& cell : cells) {
        cell = forTerminal(cell);
    }
    rows_.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out) const {
    std::vector<std::size_t> widths;
    for (const Column& column : columns_) {
        widths.push_back(displayWidth(column.header));
    }
    for (const auto& row : rows_) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], displayWidth(row[i]));
        }
    }
    auto printRow = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const bool last = i + 1 == cells.size();
            const std::string padding(widths[i] - displayWidth(cells[i]), ' ');
            if (columns_[i].align == Align::Right) {
                line += padding + cells[i];
            } else {
                line += cells[i];
                if (!last) {
                    line += padding;
                }
            }
            if (!last) {
                line += "  ";
            }
        }
        out << line << '\n';
    };
    std::vector<std::string> headers;
    for (const Column& column : columns_) {
        headers.push_back(column.header);
    }
    printRow(headers);
    for (const auto& row : rows_) {
        printRow(row);
    }
}

}  // namespace dfp::admin
