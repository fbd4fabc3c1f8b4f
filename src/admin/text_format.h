#pragma once

// How dfp-admin shows values to people: local times, byte counts, and text from the
// database made safe for a terminal, in aligned tables.

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "storage/forum_store.h"

namespace dfp::admin {

// "2024-05-01 14:03:22" in the local time zone (TZ), as people read times.
std::string formatLocalTime(storage::UnixTime time);

// "512 B", "1.5 KiB", "3.0 GiB".
std::string formatBytes(std::uint64_t bytes);

// The text with every control character (C0, DEL, C1) shown as a space, so that what is
// stored cannot move the cursor or recolour the terminal. The protocol refuses such text
// (TAB aside), but a table must stay a table whatever the database holds.
std::string forTerminal(std::string_view text);

// Columns a terminal gives the text: its code points (wide characters count as one).
std::size_t displayWidth(std::string_view text);

// A table of text for people: a header row, then rows, each column as wide as its widest
// cell, two spaces apart. The last column is not padded, so long text just runs on.
class TextTable {
public:
    enum class Align { Left, Right };
    struct Column {
        std::string header;
        Align align = Align::Left;
    };

    explicit TextTable(std::vector<Column> columns);

    // One cell per column; cells are passed through forTerminal().
    void addRow(std::vector<std::string> cells);
    std::size_t rows() const { return rows_.size(); }
    void print(std::ostream& out) const;

private:
    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace dfp::admin
