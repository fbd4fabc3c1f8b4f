#pragma once

// The progress bar of UPD and DWN (docs/client.md): bytes, rate and time left, drawn on
// stderr only in interactive mode, and only once a transfer has taken longer than a moment,
// so quick transfers and scripts print nothing extra.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace dfp::client {

// One line, exactly width columns wide (when width allows), e.g.
// "notes.bin [=========>          ]  45%  12.0 MiB/26.7 MiB  8.1 MiB/s  0:02 left"
std::string formatProgress(const std::string& label, std::uint64_t done, std::uint64_t total,
                           std::chrono::duration<double> elapsed, std::size_t width);

// "0:07", "12:34", "1:02:03"
std::string formatDuration(std::chrono::seconds duration);

// Receives the progress of one transfer. The session calls it; the app decides what to show.
class ProgressListener {
public:
    virtual ~ProgressListener() = default;
    virtual void start(const std::string& label, std::uint64_t total) = 0;
    virtual void advance(std::uint64_t done) = 0;
    virtual void finish(bool completed) = 0;
};

// Draws on a terminal stream, redrawing at most every kRedraw and only after kDelay.
class ProgressBar : public ProgressListener {
public:
    static constexpr std::chrono::milliseconds kDelay{500};
    static constexpr std::chrono::milliseconds kRedraw{100};

    explicit ProgressBar(std::FILE* out) : out_(out) {}
    void start(const std::string& label, std::uint64_t total) override;
    void advance(std::uint64_t done) override;
    void finish(bool completed) override;

private:
    void draw(std::chrono::steady_clock::time_point now);
    std::size_t width() const;

    std::FILE* out_;
    std::string label_;
    std::uint64_t total_ = 0;
    std::uint64_t done_ = 0;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point lastDraw_;
    bool shown_ = false;
};

}  // namespace dfp::client
